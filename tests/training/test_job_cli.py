"""`datacap job create --mode fedavg --scheme ckks`, `job join`, `job volunteer`, `job run` per party (first
interrupted, losing its Redis or its chain node mid-run, then resumed), `job verify`, `job status`.

The stack is the demo's (embedded Anvil + Redis, one Celery worker, the suite deployed); the data set-up
($Data, stakes, $Portfolio) goes through the same library calls the demo makes. Every job step is the CLI:
in-process through CliRunner, and each party's `job run` in its own process (they run concurrently;
CliRunner swaps process-wide streams).
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eth_account import Account

from training_support import CAP, cli_args, invoke, write_sklearn_csv
from orchestrator import deploy as deploy_lib
from orchestrator.actions import assets, stakes
from orchestrator.chain import Chain
from orchestrator.config import Settings
from orchestrator.keystore import DEV_PASSWORD, Keystore, dev_key
from orchestrator.services import (embedded_services, free_port, rpc_request, start_anvil, start_redis, stop_anvil,
                                   stop_redis)
from orchestrator.storage import open_storage
from orchestrator.training import datasets
from orchestrator.training.workerproc import WorkerProcess

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TRAINER, OWNERS = 3, (1, 2)  # dev accounts; owner 1 also aggregates


def ok(*args):
    code, out, err = invoke(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_job_create_join_run_verify_status_through_the_cli(tmp_path):
    s = Settings(rpc_url=f"http://127.0.0.1:{free_port()}", data_dir=tmp_path / "data",
                 deployments_dir=tmp_path / "deployments", redis_port=free_port())
    base = [*cli_args(s), "--redis-url", s.effective_redis_url]
    prep = datasets.prepare(tmp_path / "datasets", len(OWNERS), label="target", alpha=100.0,
                            dataset=str(write_sklearn_csv("wine", tmp_path / "wine.csv")))
    worker = WorkerProcess(s.effective_redis_url, tmp_path / "worker.log")
    with embedded_services(s, redis=True):
        try:
            Keystore(s.keystore_path).import_dev(TRAINER + 1, DEV_PASSWORD)
            ok(*base, "--account", "dev0", "deploy")
            chains = {i: Chain(s, Account.from_key(dev_key(i))) for i in (*OWNERS, TRAINER)}
            storage = open_storage("local", root=s.store_path)
            data_ids = []
            for i, path in zip(OWNERS, prep.owner_files):
                reg = assets.register_dataset(chains[i], storage, path, name=f"wine {i}", description="a shard",
                                              price=CAP)
                stakes.deposit(chains[i], "data-owner", reg.token_id, 100 * CAP)
                data_ids.append(reg.token_id)
            portfolio_id, _, _ = assets.create_portfolio(chains[TRAINER], storage, data_ids, None, name="wine")
            stakes.deposit(chains[TRAINER], "curator", 0, 50 * CAP)
            stakes.deposit(chains[TRAINER], "trainer", 0, 50 * CAP)

            job = ok(*base, "--account", f"dev{TRAINER}", "job", "create", portfolio_id, "--budget", "100",
                     "--rounds", "1", "--min-participants", "2", "--join-window", "3600", "--round-duration", "600",
                     "--mode", "fedavg", "--scheme", "ckks", "--features", prep.features, "--classes", prep.classes,
                     "--hidden", "8", "--epochs", "2")
            job_id = job["job_id"]
            assert (job["mode"], job["scheme"]) == ("fedavg", "ckks")
            for i, data_id in zip(OWNERS, data_ids):
                ok(*base, "--account", f"dev{i}", "job", "join", job_id, data_id)
            ok(*base, "--account", f"dev{OWNERS[0]}", "job", "volunteer", job_id)

            def job_run(account, *extra, tag):
                argv = [*base, "--account", f"dev{account}", "--json", "job", "run", str(job_id), "--label", "target",
                        "--interval", "0.05", *map(str, extra)]
                out, err = (tmp_path / f"{tag}-dev{account}.{x}" for x in ("out", "err"))
                with open(out, "w") as o, open(err, "w") as e:
                    # short lost-task and lost-node thresholds: the first phase has no worker, then no node
                    p = subprocess.Popen([sys.executable, "-m", "orchestrator.cli", *argv], cwd=ROOT, stdout=o,
                                         stderr=e, env={**os.environ, "DATACAP_LATE_TASK_SECONDS": "0.5",
                                                        "DATACAP_CHAIN_UNREACHABLE_SECONDS": "1"})
                p.out, p.err = out, err
                return p

            def all_runs(tag):
                procs = {f"dev{i}": job_run(i, "--data", f"{d}={p}", tag=tag)
                         for i, d, p in zip(OWNERS, data_ids, prep.owner_files)}
                procs[f"dev{TRAINER}"] = job_run(TRAINER, "--test", prep.test_ref["path"], "--fast-forward", tag=tag)
                return procs

            def stderr(p):
                return p.err.read_text()

            # 1. No worker: the owners' training tasks stay queued and each owner says so once. One owner is
            # interrupted (Ctrl-C). Then Redis dies: the other owner ends with one line naming the broker, exit 1.
            # Then the chain node dies (its state saved first): the trainer, waiting on the chain, ends with one
            # line naming the node, exit 1. Nothing is committed on chain for the round.
            procs = all_runs("lost")
            owners = [procs[f"dev{i}"] for i in OWNERS]
            try:
                deadline = time.monotonic() + 120
                while not all("has no result after 0.5 s: no worker took it" in stderr(p) for p in owners):
                    assert time.monotonic() < deadline and all(p.poll() is None for p in owners), \
                        [stderr(p) for p in procs.values()]
                    time.sleep(0.2)
                interrupted, owner = owners
                interrupted.send_signal(signal.SIGINT)
                assert interrupted.wait(60) == 130 and stderr(interrupted).strip().splitlines()[-1] == \
                    "error: interrupted"
                assert stop_redis(s)
                assert owner.wait(60) == 1
                *warnings, last = stderr(owner).strip().splitlines()
                assert last.startswith(f"error: the broker at {s.effective_redis_url} went away"), last
                assert warnings and all("has no result after" in w for w in warnings), warnings
                state = rpc_request(s.rpc_url, "anvil_dumpState")
                assert stop_anvil(s)
                trainer = procs[f"dev{TRAINER}"]
                assert trainer.wait(60) == 1, stderr(trainer)
                *warnings, last = stderr(trainer).strip().splitlines()
                assert last == (f"error: the chain node at {s.rpc_url} is unreachable (no answer for 1 s): start it "
                                f"again, then run the same command to resume"), last
                assert warnings == [f"the chain node at {s.rpc_url} stopped answering; waiting up to 1 s for it"]
            finally:
                for p in procs.values():
                    p.kill()
            start_anvil(s)
            assert rpc_request(s.rpc_url, "anvil_loadState", [state]) is True
            r = chains[TRAINER].call("JobMarket.roundOf", job_id, 1)
            assert r["submittedBits"] == 0 and bytes(r["aggregateHash"]) == bytes(32)

            # 2. The node back with its state, Redis back (empty: the embedded one keeps nothing) and a worker:
            # the same commands resume and finish the job from the agents' own state.
            start_redis(s)
            worker.start()
            procs = all_runs("resumed")
            outs = {}
            try:
                for who, p in procs.items():
                    assert p.wait(120) == 0, f"{who}: {stderr(p)}"
                    outs[who] = json.loads(p.out.read_text())
            finally:
                for p in procs.values():
                    p.kill()
            assert sorted(outs[f"dev{OWNERS[0]}"]["roles"]) == ["aggregator", "owner"]
            assert outs[f"dev{OWNERS[1]}"]["roles"] == ["owner"] and outs[f"dev{TRAINER}"]["roles"] == ["trainer"]

            verdict = ok(*base, "job", "verify", job_id, "1")
            assert verdict["ok"] is True
            status = ok(*base, "job", "status", job_id)
            assert status["status"] == "finalized", status
            assert status["modelId"] > 0
        finally:
            worker.stop()
