"""Loaded into a test worker with --include: slows train tasks and leaves a marker when one starts."""
import os
import pathlib
import time

from celery.signals import task_prerun


@task_prerun.connect
def _slow_start(task_id=None, task=None, **_kw):
    markers = os.environ.get("DATACAP_TEST_MARKERS")
    if not markers or task.name != "datacap.train_encrypt":
        return
    (pathlib.Path(markers) / f"start-{time.time_ns()}-{os.getpid()}").write_text(task_id)
    time.sleep(float(os.environ.get("DATACAP_TEST_DELAY", "0")))
