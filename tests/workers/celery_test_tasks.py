"""Test-only task loaded into the worker with ``--include``: hangs on its first delivery."""
import os
import time
from pathlib import Path

from workers import tasks
from workers.celery import app


@app.task(name="datacap.test.slow_aggregate")
def slow_aggregate(marker_dir: str, storage: dict, context_cid: str, cids: list, sha256s: list, seconds: float) -> dict:
    d = Path(marker_dir)
    n = len(list(d.glob("start-*")))
    (d / f"start-{n}-{os.getpid()}").write_text("")
    if n == 0:
        time.sleep(seconds)  # the first worker is SIGKILLed here
    return tasks.aggregate(storage, context_cid, cids, sha256s)
