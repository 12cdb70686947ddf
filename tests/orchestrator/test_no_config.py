"""Nothing configured, no terminal: `chain up` then `deploy` still work (Anvil's dev keys are public)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from orchestrator import services
from orchestrator.chain import Chain, Deployment
from orchestrator.cli import cli
from orchestrator.config import load_settings
from orchestrator.keystore import DEV_PASSWORD, Keystore


def test_chain_up_and_deploy_without_a_password(tmp_path):
    port = services.free_port()
    rpc = f"http://127.0.0.1:{port}"
    base = ["--rpc-url", rpc, "--data-dir", str(tmp_path / "d"), "--deployments-dir", str(tmp_path / "deployments")]
    settings = load_settings({"rpc_url": rpc, "data_dir": str(tmp_path / "d"),
                              "deployments_dir": str(tmp_path / "deployments")})
    runner = CliRunner()
    no_password = {"DATACAP_PASSWORD": None}  # unset, and CliRunner's stdin is not a terminal
    try:
        up = runner.invoke(cli, [*base, "chain", "up", "--port", str(port), "--dev-accounts", "3", "--json"],
                           env=no_password)
        assert up.exit_code == 0, up.stderr
        dep = runner.invoke(cli, [*base, "deploy", "--json"], env=no_password)
        assert dep.exit_code == 0, dep.stderr
        deployment = Deployment.load(tmp_path / "deployments" / "31337.json")
        assert all(Chain(settings).code_at(c.address) for c in deployment.contracts.values())
        ks = Keystore(settings.keystore_path)
        assert ks.is_dev("dev0") and ks.load("dev0", DEV_PASSWORD).address == ks.info("dev0").address
        assert json.loads(dep.stdout)
    finally:
        runner.invoke(cli, [*base, "chain", "down"], env=no_password)


def test_a_non_dev_key_still_needs_its_password(tmp_path):
    ks = Keystore(tmp_path / "keystore")
    ks.import_key("mine", "0x" + "11" * 32, "secret")
    assert not ks.is_dev("mine")
    port = services.free_port()
    services.start_anvil(load_settings({"rpc_url": f"http://127.0.0.1:{port}", "data_dir": str(tmp_path / "run")}),
                         port=port)
    try:
        res = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "--account", "mine", "--rpc-url",
                                       f"http://127.0.0.1:{port}", "deploy"], env={"DATACAP_PASSWORD": None})
    finally:
        services.stop_anvil(load_settings({"rpc_url": f"http://127.0.0.1:{port}", "data_dir": str(tmp_path / "run")}))
    assert res.exit_code != 0
    assert res.stderr.strip() == "error: no password: set DATACAP_PASSWORD or run in a terminal"
