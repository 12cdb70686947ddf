"""The Celery app: Redis broker and backend from DATACAP_REDIS_URL, at-least-once delivery."""
from __future__ import annotations

import os

from celery import Celery

__all__ = ["app", "BROKER_RETRIES"]

REDIS_URL = os.environ.get("DATACAP_REDIS_URL", "redis://127.0.0.1:6379/0")
# Longer than the longest task: an unacknowledged message (a SIGKILLed worker's) is redelivered after this
# many seconds. 300 s: tasks take seconds to a minute, and a lost one comes back well within a round (the
# default round is 600 s in the demo, 86400 s from the CLI). Raise it for tasks longer than 5 minutes.
VISIBILITY_TIMEOUT = int(os.environ.get("DATACAP_VISIBILITY_TIMEOUT", "300"))

#: reconnect attempts before a Redis that stopped answering counts as gone, for a worker (Celery's backoff:
#: 2 s, then 4 s) and for `job run` (orchestrator.training.executor). It holds the queue and the results,
#: so a restarted one has lost them and retrying longer cannot bring them back.
BROKER_RETRIES = 2

_TRANSPORT = {
    "visibility_timeout": VISIBILITY_TIMEOUT,
    # kombu sweeps for expired unacked messages every interval * throttle seconds (default
    # 10 * 10): sweep every VISIBILITY_TIMEOUT/5 (at most 60 s) so a dead worker's task comes back
    # soon after the visibility timeout rather than minutes later.
    "unacked_restore_interval": max(1, min(60, VISIBILITY_TIMEOUT // 5)),
    "unacked_restore_throttle": 1,
}

app = Celery("datacap", include=["workers.tasks"])
app.conf.update(
    broker_url=REDIS_URL,
    result_backend=REDIS_URL,
    broker_transport_options=_TRANSPORT,
    result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=BROKER_RETRIES,
    # At-least-once: ack after the task returns; a worker that dies mid-task leaves the message
    # unacked, and it is redelivered (tasks are pure functions of their arguments, so rerunning
    # one gives the same bytes for aggregation and verification).
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # a lost broker connection cancels running tasks: their messages cannot be acknowledged any more and come
    # back (Celery 6's default; set here so the worker does not warn about the change)
    worker_cancel_long_running_tasks_on_connection_loss=True,
    worker_prefetch_multiplier=1,
    task_track_started=True,
    # JSON only: tasks take CIDs and storage settings, never bytes (workers.tasks).
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_accept_content=["json"],
    result_expires=int(os.environ.get("DATACAP_RESULT_EXPIRES", str(24 * 3600))),
    task_default_queue=os.environ.get("DATACAP_QUEUE", "datacap"),
    worker_hijack_root_logger=False,
)

