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
        from celery import Celery

        from workers.celery import app as workers_app

        # A client app of its own per Redis: Celery caches connections and backends per app.
        self.app = Celery("datacap-client", set_as_current=False)
        conf = {k: workers_app.conf[k] for k in ("task_serializer", "result_serializer", "accept_content",
                                                 "result_accept_content", "task_default_queue",
                                                 "broker_transport_options", "result_backend_transport_options")}
        self.app.conf.update(conf, broker_url=redis_url, result_backend=redis_url)
        self.timeout = timeout

    def close(self) -> None:
        self.app.close()

    def run(self, name: str, args: list, task_id: str):
        res = self.app.AsyncResult(task_id)
        if res.state == "SUCCESS":
            log.info("task %s (%s) already done; reusing its result", task_id, name)
            return res.get(timeout=self.timeout)
        if res.state not in ("STARTED", "RETRY"):
            res = self.app.send_task(name, args=args, task_id=task_id)
        return res.get(timeout=self.timeout)
