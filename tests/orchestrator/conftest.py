"""A live Anvil on a free port for the whole session, the suite deployed once through the CLI."""

from __future__ import annotations

import json
import zlib
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from orchestrator import services
from orchestrator.cli import cli
from orchestrator.config import load_settings
from orchestrator.keystore import Keystore

PASSWORD = "test-password"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def data(self):
        return json.loads(self.stdout)


@dataclass
class Env:
    rpc_url: str
    data_dir: Path
    deployments_dir: Path
    work: Path

    def base_args(self, rpc_url: str | None = None) -> list[str]:
        return ["--rpc-url", rpc_url or self.rpc_url, "--data-dir", str(self.data_dir),
                "--deployments-dir", str(self.deployments_dir)]

    def run(self, *args: str, account: str | None = "dev0", rpc_url: str | None = None, input: str | None = None,
            env: dict | None = None) -> Result:
        argv = self.base_args(rpc_url) + (["--account", account] if account else []) + [str(a) for a in args]
        runner = CliRunner()
        res = runner.invoke(cli, argv, input=input, env={"DATACAP_PASSWORD": PASSWORD, **(env or {})},
                            catch_exceptions=False)
        return Result(res.exit_code, res.stdout, res.stderr)

    def environ(self) -> dict:
        """The environment of a `datacap` subprocess (the keystore's password included)."""
        return {**os.environ, "DATACAP_PASSWORD": PASSWORD}

    def ok(self, *args: str, **kw) -> dict | list:
        res = self.run(*args, "--json", **kw)
        assert res.code == 0, res.stderr
        return res.data

    def fails(self, *args: str, **kw) -> str:
        res = self.run(*args, **kw)
        assert res.code != 0, res.stdout
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
        return lines[0]

    @property
    def settings(self):
        return load_settings({"rpc_url": self.rpc_url, "data_dir": str(self.data_dir),
                              "deployments_dir": str(self.deployments_dir)})


@pytest.fixture(scope="session")
def env(tmp_path_factory) -> Env:
    root = tmp_path_factory.mktemp("datacap")
    port = services.free_port()
    e = Env(f"http://127.0.0.1:{port}", root / "data", root / "deployments", root / "work")
    e.work.mkdir()
    settings = e.settings
    services.start_anvil(settings, port=port)
    try:
        Keystore(settings.keystore_path).import_dev(10, PASSWORD)
        res = e.run("deploy", "--keep-admin", "--json")  # the tests grant roles as the admin
        assert res.code == 0, res.stderr
        yield e
    finally:
        services.stop_anvil(settings)


@pytest.fixture
def csv_file(env, request) -> Path:
    """A small well-formed CSV, unique per test (so its commitment is new)."""
    p = env.work / f"{request.node.name}.csv"
    rows = "\n".join(f"{i},{i * 3 % 7},{zlib.crc32(request.node.name.encode())}" for i in range(20))
    p.write_text(f"a,b,c\n{rows}\n")
    return p


@pytest.fixture(scope="session")
def admin(env):
    """dev0 (deployer, admin of every contract) as a library Chain."""
    from eth_account import Account

    from orchestrator.chain import Chain
    from orchestrator.keystore import dev_key

    return Chain(env.settings, Account.from_key(dev_key(0)))


@pytest.fixture(scope="session")
def addr(env):
    return lambda name: Keystore(env.settings.keystore_path).info(name).address


@pytest.fixture(scope="session")
def register(env):
    return lambda path, account: env.ok("data", "register", str(path), "--price", "1", account=account)["token_id"]
