"""Settings precedence, the keystore, `datacap chain up` + `deploy` + `demo` on their own Anvil."""

from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner

from orchestrator import services
from orchestrator.chain import Chain, Deployment
from orchestrator.cli import cli
from orchestrator.config import load_settings
from orchestrator.errors import ConfigError, KeystoreError
from orchestrator.keystore import DEV_SCRYPT_N, Keystore, dev_key


def test_settings_precedence(tmp_path):
    (tmp_path / "datacap.toml").write_text('[datacap]\nrpc_url = "http://toml:1"\nconfirmations = 3\n'
                                           'ipfs_backend = "kubo"\naccount = "t"\n')
    (tmp_path / ".env").write_text("DATACAP_RPC_URL=http://dotenv:2\nDATACAP_ACCOUNT=d\n")
    env = {"DATACAP_ACCOUNT": "e"}
    s = load_settings({"confirmations": None}, env=env, cwd=tmp_path)
    assert (s.rpc_url, s.account, s.confirmations, s.ipfs_backend) == ("http://dotenv:2", "e", 3, "kubo")
    s = load_settings({"account": "flag", "confirmations": 0}, env=env, cwd=tmp_path)
    assert (s.account, s.confirmations) == ("flag", 0)
    d = load_settings({}, env={}, cwd=tmp_path / "nowhere")
    assert d.rpc_url == "http://127.0.0.1:8545" and d.ipfs_backend == "local" and d.confirmations == 0
    assert d.data_dir == tmp_path / "nowhere" / ".datacap" and d.keystore_path == d.data_dir / "keystore"
    with pytest.raises(ConfigError):
        load_settings({"ipfs_backend": "ftp"}, env={}, cwd=tmp_path)


def test_keystore_roundtrip(tmp_path):
    ks = Keystore(tmp_path / "ks")
    info = ks.import_key("a", dev_key(3), "pw", scrypt_n=DEV_SCRYPT_N)
    assert stat.S_IMODE(os.stat(info.path).st_mode) == 0o600
    assert json.loads(info.path.read_text())["crypto"]["kdf"] == "scrypt"
    assert ks.load("a", "pw").key.hex() in (dev_key(3), dev_key(3)[2:])
    with pytest.raises(KeystoreError, match="wrong password"):
        ks.load("a", "nope")
    with pytest.raises(KeystoreError, match="exists already"):
        ks.import_key("a", dev_key(4), "pw", scrypt_n=DEV_SCRYPT_N)
    with pytest.raises(KeystoreError, match="bad account name"):
        ks.path("../x")
    assert ks.default_name() == "a"


def test_chain_up_deploy_demo_down(tmp_path):
    port = services.free_port()
    base = ["--rpc-url", f"http://127.0.0.1:{port}", "--data-dir", str(tmp_path / "d"),
            "--deployments-dir", str(tmp_path / "deployments")]
    settings = load_settings({"rpc_url": f"http://127.0.0.1:{port}", "data_dir": str(tmp_path / "d"),
                              "deployments_dir": str(tmp_path / "deployments")})
    runner = CliRunner()
    env = {"DATACAP_PASSWORD": "pw"}

    def run(*args):
        res = runner.invoke(cli, base + list(args), env=env, catch_exceptions=False)
        assert res.exit_code == 0, res.stderr
        return res

    try:
        up = json.loads(run("chain", "up", "--port", str(port), "--dev-accounts", "6", "--json").stdout)
        assert up["anvil"]["running"] and up["anvil"]["detail"]["chain_id"] == 31337
        assert json.loads(run("chain", "status", "--json").stdout)["anvil"]["running"]
        run("--account", "dev0", "deploy", "--json")
        dep = Deployment.load(tmp_path / "deployments" / "31337.json")
        chain = Chain(settings)
        assert dep.chain_id == 31337 and all(chain.code_at(c.address) for c in dep.contracts.values())
        # the demo runs its own stack on free ports and leaves the user's chain alone
        demo = json.loads(run("demo", "--work-dir", str(tmp_path / "demo"), "--rounds", "1", "--epochs", "1",
                              "--json").stdout)
        assert demo["owners"] == 4 and demo["model_token_id"] == 1
        assert services.rpc_answers(settings.rpc_url)
    finally:
        runner.invoke(cli, base + ["chain", "down"], env=env)
    assert not services.rpc_answers(settings.rpc_url)


def test_demo_starts_and_stops_its_own_chain(tmp_path):
    from orchestrator.demo import DemoOptions, run_demo

    report = run_demo(DemoOptions(rounds=1, epochs=1, work_dir=tmp_path / "w"))
    assert report.model_token_id == 1 and report.owners == 4
    assert not list((tmp_path / "w" / "data" / "run").glob("*.pid"))
