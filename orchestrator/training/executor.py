"""Run compute on the party's own Celery workers with deterministic task ids (idempotent re-sends)."""
from __future__ import annotations

import contextlib
import logging
import threading
from typing import Iterator

from orchestrator.config import LATE_TASK_SECONDS
from orchestrator.errors import BrokerLost

log = logging.getLogger(__name__)


class Executor:
    """``run(name, args, task_id)``: send a task (unless already done) and wait for its result.

    Re-sending the same ``task_id`` after a crash is safe: a finished task's stored result is reused;
    otherwise the task runs again (tasks are pure functions of their arguments; see ``run``). A broker that
    goes away raises :class:`~orchestrator.errors.BrokerLost` (one line) instead of Celery's retry loop.
    """

    def __init__(self, redis_url: str, timeout: float = 600.0, late_after: float = LATE_TASK_SECONDS):
        from celery import Celery

        from workers.celery import BROKER_RETRIES, app as workers_app

        # A client app of its own per Redis: Celery caches connections and backends per app.
        self.app = Celery("datacap-client", set_as_current=False)
        conf = {k: workers_app.conf[k] for k in ("task_serializer", "result_serializer", "accept_content",
                                                 "result_accept_content", "task_default_queue",
                                                 "broker_transport_options")}
        # reconnect once a second (BROKER_RETRIES times) before the result store gives up
        retry = {"max_retries": BROKER_RETRIES, "interval_start": 0, "interval_step": 1, "interval_max": 1}
        self.app.conf.update(conf, broker_url=redis_url, result_backend=redis_url,
                             result_backend_transport_options={
                                 **workers_app.conf["result_backend_transport_options"], "retry_policy": retry})
        # the result store's reconnect messages ("Connection to Redis lost: Retry (n/m)", "must be restarted")
        # would repeat what BrokerLost says in one line
        logging.getLogger("celery.backends").setLevel(logging.CRITICAL + 1)
        self.redis_url = redis_url
        self.timeout = timeout
        self.late_after = late_after
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

    @contextlib.contextmanager
    def _broker(self) -> Iterator[None]:
        """Redis errors (sending, polling, the result store giving up on reconnecting) -> BrokerLost."""
        import redis
        from celery.backends.asynchronous import E_RETRY_LIMIT_EXCEEDED
        from kombu.exceptions import OperationalError

        from workers.celery import BROKER_RETRIES

        try:
            yield
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OperationalError) as exc:
            raise BrokerLost(f"the broker at {self.redis_url} went away ({str(exc)[:120]})") from None
        except RuntimeError as exc:
            if str(exc).strip() != E_RETRY_LIMIT_EXCEEDED.strip():
                raise
            raise BrokerLost(f"the broker at {self.redis_url} went away (the result store stopped answering "
                             f"after {BROKER_RETRIES} reconnect attempts)") from None

    def run(self, name: str, args: list, task_id: str):
        with self._broker():
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

        first = min(self.late_after, self.timeout)
        try:
            return res.get(timeout=first)
        except ResultTimeout:
            if first >= self.timeout:
                raise
        log.warning("task %s (%s) has no result after %g s: no worker took it, or its worker died (its task comes "
                    "back after DATACAP_VISIBILITY_TIMEOUT, %d s); waiting", res.id, name, first, VISIBILITY_TIMEOUT)
        return res.get(timeout=self.timeout - first)
