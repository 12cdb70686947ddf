"""The core flows on Ganache 7.9.2 (npm devDependency, started from node_modules on a free port), beside the
Anvil runs of the other suites: deploy with the faucet, two samples registered, a portfolio, stakes, a
referendum driven with `chain advance`, revert decoding, and a 2-owner encrypted FedAvg job run by the CLI.
"""
from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from web3 import Web3

from orchestrator.cli import cli
from orchestrator.config import Settings
from orchestrator.services import embedded_services, free_port
from orchestrator.training.workerproc import WorkerProcess

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
GANACHE = ROOT / "node_modules" / ".bin" / "ganache"
#: Anvil's mnemonic, so `account import-dev` names the same funded keys dev0..dev19 on Ganache
MNEMONIC = "test test test test test test test test test test test junk"
GANACHE_CHAIN_ID = 1337


@contextlib.contextmanager
def ganache(port: int):
    proc = subprocess.Popen([str(GANACHE), "--port", str(port), "--chain.hardfork", "shanghai",
                             "--chain.chainId", str(GANACHE_CHAIN_ID), "--wallet.mnemonic", MNEMONIC,
                             "--wallet.totalAccounts", "20", "--wallet.defaultBalance", "10000", "--logging.quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        w3 = Web3(Web3.HTTPProvider(url))
        for _ in range(600):
            with contextlib.suppress(Exception):
                if w3.eth.chain_id == GANACHE_CHAIN_ID:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("ganache did not answer")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_core_flows_on_ganache(tmp_path):
    s = Settings(rpc_url=f"http://127.0.0.1:{free_port()}", data_dir=tmp_path / "data",
                 deployments_dir=tmp_path / "deployments", redis_port=free_port())
    base = ["--rpc-url", s.rpc_url, "--data-dir", str(s.data_dir), "--deployments-dir", str(s.deployments_dir),
            "--redis-url", s.effective_redis_url]

    def run(*args):
        res = CliRunner().invoke(cli, [*base, *map(str, args)], catch_exceptions=False)
        return res.exit_code, res.stdout, res.stderr

    def ok(*args):
        code, out, err = run(*args, "--json")
        assert code == 0, err
        return json.loads(out)

    def fails(*args):
        code, out, err = run(*args)
        assert code != 0 and len(err.strip().splitlines()) == 1 and err.startswith("error: "), err
        return err.strip()

    with ganache(s.rpc_port):
        ok("account", "import-dev", "20")
        status = ok("chain", "status")
        assert status["node"] == "ganache" and status["anvil"]["detail"]["chain_id"] == GANACHE_CHAIN_ID
        ok("deploy", "--faucet", "--account", "dev0")
        samples = ok("data", "samples", tmp_path / "samples")["files"]
        d1 = ok("data", "register", samples[0], "--price", "1", "--account", "dev1")["token_id"]
        d2 = ok("data", "register", samples[1], "--price", "1", "--account", "dev2")["token_id"]
        # revert data arrives as Ganache's error.data shape and is decoded by name
        assert "DataNFT.DuplicateCommitment(" in fails("data", "register", samples[1], "--account", "dev2")
        pid = ok("portfolio", "create", f"{d1},{d2}", "--weights", "6000,4000", "--account", "dev3")["portfolio_id"]
        assert ok("data", "show", d1)["token_uri"].startswith("ipfs://")  # a string-returning view (MCOPY-free)
        for who, data_id in (("dev1", d1), ("dev2", d2)):
            ok("stake", "deposit", "data-owner", "100", "--asset", data_id, "--account", who)
        ok("stake", "deposit", "curator", "50", "--account", "dev3")
        ok("stake", "deposit", "trainer", "50", "--account", "dev3")

        # a referendum, end to end, with time travel
        regulator = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
        rid = ok("referendum", "propose", "regulator", regulator, "--account", "dev1")["referendum_id"]
        ok("chain", "advance", "--time", "2d")
        ok("referendum", "vote", rid, "yes", "--account", "dev1")
        ok("referendum", "vote", rid, "yes", "--account", "dev2")
        ok("chain", "advance", "--time", "8d")
        ok("referendum", "execute", rid, "--account", "dev1")
        assert ok("referendum", "show", rid)["state"] == "executed"
        before = ok("chain", "advance", "--blocks", "3")["block"]  # evm_mine fallback: Ganache has no anvil_mine
        assert ok("chain", "advance", "--blocks", "2")["block"] == before + 2

        # a 2-owner encrypted FedAvg job, driven from the CLI alone
        with embedded_services(s, chain=False, redis=True):
            worker = WorkerProcess(s.effective_redis_url, tmp_path / "worker.log").start()
            try:
                job_id = ok("job", "create", pid, "--budget", "100", "--rounds", "1", "--min-participants", "2",
                            "--join-window", "3600", "--round-duration", "600", "--mode", "fedavg", "--features",
                            "13", "--classes", "3", "--hidden", "8", "--epochs", "2", "--account", "dev3")["job_id"]
                ok("job", "join", job_id, d1, "--account", "dev1")
                ok("job", "join", job_id, d2, "--account", "dev2")
                ok("job", "volunteer", job_id, "--account", "dev1")

                def job_run(account, *extra):
                    argv = [*base, "--account", account, "--json", "job", "run", str(job_id), "--label", "target",
                            "--interval", "0.05", *map(str, extra)]
                    return subprocess.Popen([sys.executable, "-m", "orchestrator.cli", *argv], cwd=ROOT, text=True,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

                procs = {"dev1": job_run("dev1", "--data", f"{d1}={samples[0]}"),
                         "dev2": job_run("dev2", "--data", f"{d2}={samples[1]}"),
                         "dev3": job_run("dev3", "--test", samples[2], "--fast-forward")}
                try:
                    for who, p in procs.items():
                        out, err = p.communicate(timeout=300)
                        assert p.returncode == 0, f"{who}: {err}"
                finally:
                    for p in procs.values():
                        p.kill()
            finally:
                worker.stop()
        st = ok("job", "status", job_id)
        assert st["status"] == "finalized" and st["modelId"] > 0
        assert ok("job", "verify", job_id, "1")["ok"] is True


def test_demo_on_ganache_with_given_keys(tmp_path):
    from orchestrator.keystore import dev_key

    keys = tmp_path / "keys.txt"
    keys.write_text("\n".join(dev_key(i) for i in range(7)) + "\n")  # 2 owners + 5: funded by the mnemonic
    port = free_port()
    with ganache(port) as url:
        res = CliRunner().invoke(cli, ["--rpc-url", url, "--json", "demo", "--keys-file", str(keys), "--owners", "2",
                                       "--mode", "stats"], catch_exceptions=False)
        assert res.exit_code == 0, res.stderr
        report = json.loads(res.stdout)
        assert report["model_token_id"] > 0 and report["max_abs_error"] < 1e-3
        assert Web3(Web3.HTTPProvider(url)).eth.block_number > 50  # it ran on Ganache, not on an Anvil of its own
