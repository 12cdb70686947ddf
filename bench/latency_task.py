"""A task that reports when it started (loaded into the bench worker with --include)."""
import time

from workers.celery import app


@app.task(name="datacap.bench.stamp")
def stamp(_key: str = "") -> float:
    return time.time()
