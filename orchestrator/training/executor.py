"""Run compute on the party's own Celery workers with deterministic task ids (idempotent re-sends)."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class Executor:
    """``run(name, args, task_id)``: send a task (unless already done) and wait for its result.

    Re-sending the same ``task_id`` after a crash is safe: a finished task's stored result is reused;
    otherwise the task runs again (tasks are pure functions of their arguments).
    """

    def __init__(self, redis_url: str, timeout: float = 600.0):
        from workers.celery import app

        app.conf.update(broker_url=redis_url, result_backend=redis_url)
        self.app = app
        self.timeout = timeout

    def run(self, name: str, args: list, task_id: str):
        res = self.app.AsyncResult(task_id)
        if res.state == "SUCCESS":
            log.info("task %s (%s) already done; reusing its result", task_id, name)
            return res.get(timeout=self.timeout)
        if res.state not in ("STARTED", "RETRY"):
            res = self.app.send_task(name, args=args, task_id=task_id)
        return res.get(timeout=self.timeout)
