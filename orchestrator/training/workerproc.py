"""One local Celery worker subprocess (``celery -A workers.celery worker --pool=solo -c 1``)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestrator.config import PROJECT_ROOT
from orchestrator.errors import ServiceError


class WorkerProcess:
    """Start/stop/kill a worker on ``redis_url``; ``includes`` adds modules (tests: task hooks)."""

    def __init__(self, redis_url: str, log_path: Path, *, name: str = "demo", visibility_timeout: int | None = None,
                 includes: tuple[str, ...] = (), env: dict | None = None, pythonpath: tuple[str, ...] = ()):
        self.redis_url = redis_url
        self.log_path = Path(log_path)
        self.name = name
        self.visibility_timeout = visibility_timeout
        self.includes = includes
        self.env = env or {}
        self.pythonpath = pythonpath
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 60.0) -> "WorkerProcess":
        env = dict(os.environ, DATACAP_REDIS_URL=self.redis_url, **self.env,
                   PYTHONPATH=os.pathsep.join([str(PROJECT_ROOT), *self.pythonpath]))
        if self.visibility_timeout:
            env["DATACAP_VISIBILITY_TIMEOUT"] = str(self.visibility_timeout)
        cmd = [sys.executable, "-m", "celery", "-A", "workers.celery", "worker", "--pool=solo", "-c", "1",
               "-n", f"{self.name}{self.starts}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
               "-l", "info"]
        for inc in self.includes:
            cmd += ["--include", inc]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        mark = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        self.starts += 1
        deadline = time.monotonic() + timeout
        while b" ready." not in self.log_path.read_bytes()[mark:]:
            if self.proc.poll() is not None:
                raise ServiceError(f"celery worker exited with code {self.proc.returncode} (see {self.log_path})")
            if time.monotonic() > deadline:
                self.stop()
                raise ServiceError(f"celery worker not ready after {timeout:.0f}s (see {self.log_path})")
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        """SIGKILL (tests: a worker dying mid-task)."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
