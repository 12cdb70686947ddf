"""Run compute on the party's own Celery workers with deterministic task ids (idempotent re-sends)."""
from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

#: a task without a result this long gets one warning (a SIGKILLed worker's task waits for redelivery)
LATE_TASK_SECONDS = 30.0


class Executor:
    """``run(name, args, task_id)``: send a task (unless already done) and wait for its result.

    Re-sending the same ``task_id`` after a crash is safe: a finished task's stored result is reused;
    otherwise the task runs again (tasks are pure functions of their arguments; see ``run``).
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
        self._local = threading.local()  # one held producer (connection) per sending thread
        self._producers: list = []

    def _producer(self):
        producer = getattr(self._local, "producer", None)
        if producer is None:
            producer = self._local.producer = self.app.producer_pool.acquire(block=True)
            self._producers.append(producer)
        return producer

    def close(self) -> None:
        for producer in self._producers:
            producer.release()
        self._producers.clear()
        self._local = threading.local()
        self.app.close()

    def run(self, name: str, args: list, task_id: str):
        res = self.app.AsyncResult(task_id)
        if res.state == "SUCCESS":
            log.info("task %s (%s) already done; reusing its result", task_id, name)
            return res.get(timeout=self.timeout)
        # PENDING is Celery's "unknown" as well as "queued": after a restart we cannot tell a task still in
        # the queue from one never sent, so it is sent again and may run twice. That is accepted, not
        # tracked: every task is pure compute on deterministic inputs, both runs store their result under
        # the same id and the caller commits only the one it receives (each agent checks the chain before
        # committing). The cost is duplicate work after a crash, never a wrong or double commitment.
        if res.state not in ("STARTED", "RETRY"):
            res = self.app.send_task(name, args=args, task_id=task_id, producer=self._producer())
        return self._wait(res, name)

    def _wait(self, res, name: str):
        """The task's result; says once (a warning) when it is late, which is what a lost task looks like."""
        from celery.exceptions import TimeoutError as ResultTimeout

        from workers.celery import VISIBILITY_TIMEOUT

        waited = 0.0
        while True:
            step = min(LATE_TASK_SECONDS, self.timeout - waited)
            try:
                return res.get(timeout=step)
            except ResultTimeout:
                waited += step
                if waited >= self.timeout:
                    raise
                if waited == LATE_TASK_SECONDS:
                    log.warning("task %s (%s) has no result after %.0f s; if its worker died, the task comes back "
                                "after DATACAP_VISIBILITY_TIMEOUT (%d s): waiting", res.id, name, waited,
                                VISIBILITY_TIMEOUT)
