"""`datacap job create --mode fedavg --scheme ckks`, `job join`, `job run` per party, `job verify`, `job status`.

The stack is the demo's (embedded Anvil + Redis, one Celery worker, the suite deployed); the data set-up
($Data, stakes, $Portfolio) goes through the same library calls the demo makes. Every job step is the CLI: in-process through CliRunner, and each party's
`job run` in its own process (they run concurrently; CliRunner swaps process-wide streams).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account

from training_support import CAP, cli_args, invoke, write_sklearn_csv
from orchestrator import deploy as deploy_lib
from orchestrator.actions import assets, stakes
from orchestrator.chain import Chain
from orchestrator.config import Settings
from orchestrator.keystore import DEV_PASSWORD, Keystore, dev_key
from orchestrator.services import embedded_services, free_port
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
    with embedded_services(s, redis=True):
        worker = WorkerProcess(s.effective_redis_url, tmp_path / "worker.log").start()
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

            def job_run(account, *extra):
                argv = [*base, "--account", f"dev{account}", "--json", "job", "run", str(job_id), "--label", "target",
                        "--interval", "0.05", *map(str, extra)]
                return subprocess.Popen([sys.executable, "-m", "orchestrator.cli", *argv], cwd=ROOT, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)

            procs = {f"dev{i}": job_run(i, "--data", f"{d}={p}") for i, d, p in zip(OWNERS, data_ids, prep.owner_files)}
            procs[f"dev{TRAINER}"] = job_run(TRAINER, "--test", prep.test_ref["path"], "--fast-forward")
            outs = {}
            try:
                for who, p in procs.items():
                    out, err = p.communicate(timeout=120)
                    assert p.returncode == 0, f"{who}: {err}"
                    outs[who] = json.loads(out)
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
