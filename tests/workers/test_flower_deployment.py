"""The Flower app across processes with Flower's deployment engine (no Ray), on loopback.

Runs what docs/flower.md tells a user to run: ``flower-superlink``, one ``flower-supernode`` per
data owner (its shard chosen by ``--node-config``), then ``flwr run flower <connection>`` against
the SuperLink, with a private ``FLWR_HOME`` holding the SuperLink connection. The ServerApp sums
ciphertexts, decrypts with the secret context given in the run config, and writes a summary
(``result-path``) that the test checks against an in-process run of the same client/strategy code.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
import tomllib

from workers import compute, data, flower_app, he, training

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "flower"
N_OWNERS, ROUNDS, EPOCHS, LR = 3, 2, 5, 0.1
CONNECTION = "local-deployment"
STARTUP_TIMEOUT, RUN_TIMEOUT = 60, 150


def _bin(name: str) -> str:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args[0]} exited with {proc.returncode}:\n{_tail(log)}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"port {port} not listening after {timeout}s:\n{_tail(log)}")


def _tail(path: Path, n: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def _json_out(text: str) -> dict:
    return json.loads(text[text.index("{"):])


class Deployment:
    """SuperLink + SuperNodes as subprocess groups; :meth:`close` kills every group it started."""

    def __init__(self, tmp: Path):
        self.tmp, self.procs = tmp, []
        self.port = _free_port()
        self.env = dict(os.environ, FLWR_HOME=str(tmp / "flwr-home"),
                        # this checkout's `workers`, even if another one is pip-installed
                        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        home = Path(self.env["FLWR_HOME"])
        home.mkdir()
        (home / "config.toml").write_text(
            f'[superlink]\ndefault = "{CONNECTION}"\n\n'
            f'[superlink.{CONNECTION}]\naddress = "127.0.0.1:{self.port}"\ninsecure = true\n')

    def start(self, n_owners: int, public_path: Path) -> None:
        tmp = self.tmp
        link = self._start("superlink", [_bin("flower-superlink"), "--insecure",
                                         "--disable-runtime-dependency-installation",
                                         "--host", "127.0.0.1", "--port", str(self.port)])
        _wait_port(self.port, link, tmp / "superlink.log", STARTUP_TIMEOUT)
        for i in range(n_owners):
            node_port = _free_port()
            node = self._start(f"supernode{i}", [
                _bin("flower-supernode"), "--insecure", "--superlink", f"127.0.0.1:{self.port}",
                "--host", "127.0.0.1", "--port", str(node_port),
                "--node-config", f"owner={i} n-owners={n_owners} public-ctx='{public_path}'"])
            _wait_port(node_port, node, tmp / f"supernode{i}.log", STARTUP_TIMEOUT)

    def _start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                cwd=self.tmp, start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    def flwr(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([_bin("flwr"), *args], env=self.env, cwd=self.tmp, capture_output=True,
                              text=True, timeout=timeout)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{_tail(p)}" for p in sorted(self.tmp.glob("*.log")))

    def run(self, run_config: str, result: Path) -> dict:
        """``flwr run`` the app, wait (bounded) until the run leaves pending/starting/running,
        and return the final ``flwr ls`` entry."""
        r = self.flwr("run", str(APP), CONNECTION, "--run-config", run_config, "--format", "json")
        assert r.returncode == 0, f"flwr run failed:\n{r.stdout}\n{r.stderr}"
        out = _json_out(r.stdout)
        assert out["success"], out
        run_id = out["run-id"]
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            ls = self.flwr("ls", CONNECTION, "--run-id", str(run_id), "--format", "json")
            if ls.returncode == 0:
                (entry,) = _json_out(ls.stdout)["runs"]
                if entry["status"].startswith("finished"):
                    return entry
            time.sleep(2)
        raise AssertionError(f"run {run_id} not finished after {RUN_TIMEOUT}s; "
                             f"result so far: {result.read_text() if result.exists() else None}\n"
                             + self.logs())

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("ctx")
    sk, pk = he.generate_keys("fedavg", n_params=training.n_params(flower_app.DEFAULT_SPEC))
    (d / "secret.ctx").write_bytes(sk)
    (d / "public.ctx").write_bytes(pk)
    return d / "secret.ctx", d / "public.ctx"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, keys):
    dep = Deployment(tmp_path_factory.mktemp("flower"))
    try:
        dep.start(N_OWNERS, keys[1])
        yield dep
    finally:
        dep.close()


def _inprocess_accuracy(secret: bytes, public: bytes, cap: int) -> float:
    split = data.load_digits_split(N_OWNERS)
    strategy = flower_app.HEFedAvg(public, training.init_weights(flower_app.DEFAULT_SPEC, 0),
                                   lambda agg, g: compute.apply_aggregate(secret, agg, g),
                                   {"epochs": EPOCHS, "lr": LR, "weight_cap": cap})
    clients = [flower_app.DatacapClient(public, flower_app.DEFAULT_SPEC, X, y, seed=i)
               for i, (X, y) in enumerate(split.owners)]
    w = flower_app.run_inprocess(strategy, clients, ROUNDS)
    return training.evaluate(flower_app.DEFAULT_SPEC, w, split.X_test, split.y_test)["accuracy"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pathspec's, inside flwr's FAB builder
def test_flower_app_bundle_is_the_small_app_folder():
    """`flwr run flower` ships only the app folder, and nothing in it makes `flwr run` rewrite it."""
    from flwr.cli.build import build_fab_from_disk

    names = set(zipfile.ZipFile(BytesIO(build_fab_from_disk(APP))).namelist())
    assert names == {"pyproject.toml", "datacap_app.py", ".info/CONTENT"}, names
    cfg = tomllib.loads((APP / "pyproject.toml").read_text())
    # flwr 1.41 migrates [tool.flwr.federations] to $FLWR_HOME/config.toml and comments it out
    # of the (tracked) pyproject.toml on the first `flwr run`; the connection lives there instead.
    assert "federations" not in cfg["tool"]["flwr"]
    assert set(cfg["tool"]["flwr"]["app"]["config"]) >= {"rounds", "public-ctx", "secret-ctx", "result-path"}


@pytest.mark.slow
def test_flower_deployment_encrypted_fedavg_over_superlink(deployment, keys, tmp_path):
    secret_path, public_path = keys
    result = tmp_path / "result.json"
    cap = max(len(y) for _, y in data.load_digits_split(N_OWNERS).owners)
    t0 = time.monotonic()
    entry = deployment.run(f"rounds={ROUNDS} epochs={EPOCHS} lr={LR} weight-cap={cap} min-clients={N_OWNERS} "
                           f"public-ctx='{public_path}' secret-ctx='{secret_path}' result-path='{result}'",
                           result)
    elapsed = time.monotonic() - t0
    assert entry["status"] == "finished:completed", (entry, deployment.logs())
    summary = json.loads(result.read_text())
    assert summary["round"] == ROUNDS and summary["decrypted"], summary
    assert len(summary["aggregate_sha256"]) == 64
    acc = summary["test_accuracy"]
    assert acc > 0.85, (acc, deployment.logs())
    # The same client/strategy code in one process reaches the same accuracy (CKKS noise aside).
    ref = _inprocess_accuracy(secret_path.read_bytes(), public_path.read_bytes(), cap)
    assert abs(acc - ref) <= 0.01, (acc, ref)
    print(f"deployment run: {ROUNDS} rounds, {N_OWNERS} SuperNodes, {elapsed:.1f}s, accuracy {acc:.3f}")
