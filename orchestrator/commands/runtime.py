"""`datacap listen` and `datacap worker`: the long-running processes of one orchestrator."""

from __future__ import annotations

import logging

import click

from orchestrator.commands.base import App, human_value, json_option, pass_app
from orchestrator.errors import BrokerLost, ConfigError


@click.command("listen")
@click.option("--from-block", type=int, default=None, help="First block when no cursor is saved (default: deployment).")
@click.option("--once", is_flag=True, help="Process what is confirmed now and exit.")
@click.option("--interval", type=float, default=1.0, show_default=True, help="Seconds between polls.")
@click.option("--answer-challenges/--no-answer-challenges", default=True, show_default=True,
              help="Answer possession challenges against this machine's datasets (needs this party's key).")
@json_option
@pass_app
def listen(app: App, from_block, once, interval, answer_challenges) -> None:
    """Follow the deployment's events (confirmed, reorg-aware, cursor in SQLite) and print them.

    The cursor lives in <data dir>/state/<chain id>-<deployment>/listener.sqlite, so a restart resumes where it
    stopped and a new chain or deployment starts clean. With --json,
    one JSON object per line (JSON Lines). Challenges against this machine's datasets are answered.

    \b
    Example:
      datacap listen --once --json
    """
    import time

    from orchestrator.listener import EventListener, Outbox
    from orchestrator.possession import ChallengeResponder, LocalDatasets

    chain = app.chain(signed=answer_challenges)
    contracts = {n: chain.contract(n) for n in chain.deployment.contracts}
    cursor = chain.state_dir() / "listener.sqlite"
    lst = EventListener(chain.w3, str(cursor), contracts,
                        confirmations=app.settings.confirmations,
                        start_block=chain.deployment.start_block if from_block is None else from_block)
    seen: list = []
    roles = chain.registry.roles  # role hashes -> names, for the human lines
    responder = ChallengeResponder(chain, LocalDatasets(app.settings.data_dir)) if answer_challenges else None
    for name, c in contracts.items():
        for ev in [e for e in c.abi if e.get("type") == "event"]:
            if responder is not None and (name, ev["name"]) == ("PossessionChallenges", "Challenged"):
                continue  # the responder owns this handler; it reports the event too
            lst.register(name, ev["name"], lambda event, _ctx: seen.append(event))
    if responder is not None:
        def on_challenged(event, ctx):
            seen.append(event)
            responder.on_challenged(event, ctx)

        lst.register("PossessionChallenges", "Challenged", on_challenged)
    outbox = Outbox(str(cursor))
    try:
        while True:
            lst.poll_once()
            if responder is not None:
                outbox.dispatch(responder.send)
            for ev in seen:
                app.emit_line({"contract": ev.contract, "event": ev.name, "block": ev.block_number, "tx": ev.tx_hash,
                          "args": ev.args}, f"block {ev.block_number}  {ev.contract}.{ev.name}  " + "  ".join(
                    f"{k}={roles.get(bytes(v)) if isinstance(v, bytes) and bytes(v) in roles else human_value(k, v)}"
                    for k, v in ev.args.items()))
            seen.clear()
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        return
    finally:
        lst.close()


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", type=int, default=1, show_default=True)
@click.option("--loglevel", default="info", show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@pass_app
def worker(app: App, concurrency, loglevel, celery_args) -> None:
    """Start a Celery worker (workers.celery app) on the configured Redis, in this process.

    Workers hold no keys and never touch the chain. A Redis that goes away while it runs ends it with one
    line (exit 1) after a few reconnect attempts (about 6 s): the queue was in that Redis, so start Redis
    again, then the worker; `datacap job run` re-sends what was lost.

    \b
    Example:
      datacap chain up --redis && datacap worker --concurrency 2
    """
    import os
    import sys

    from orchestrator.services import require_redis

    url = app.settings.effective_redis_url
    require_redis(url)  # else Celery retries silently forever
    os.environ.setdefault("DATACAP_REDIS_URL", url)
    try:
        from workers.celery import BROKER_RETRIES, app as celery_app
    except ImportError:
        raise ConfigError("the workers package is not installed in this build (workers/celery.py)") from None
    watch = _BrokerWatch()
    for name in _BrokerWatch.LOGGERS:
        logging.getLogger(name).addFilter(watch)
    streams = sys.stdout, sys.stderr  # the worker redirects them into its log while it runs
    try:
        code = celery_app.start(["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}", *celery_args])
    finally:
        sys.stdout, sys.stderr = streams
        for name in _BrokerWatch.LOGGERS:
            logging.getLogger(name).removeFilter(watch)
    if watch.gave_up is not None:
        raise BrokerLost(f"the broker at {url} went away (no answer after {BROKER_RETRIES} reconnect attempts; "
                         f"{' '.join(str(watch.gave_up).split())[:100]}): start Redis again, then the worker")
    if code:
        raise SystemExit(code)


class _BrokerWatch(logging.Filter):
    """Celery's records about a lost broker: the consumer's reconnect attempts are dropped (the worker ends
    with one line instead), and so is the worker's 'Unrecoverable error' traceback once they ran out,
    which is remembered in ``gave_up``."""

    #: the consumer's logger (reconnect warnings and errors) and the worker's (the final traceback)
    LOGGERS = ("celery.worker.consumer.consumer", "celery.worker")

    def __init__(self):
        super().__init__()
        self.gave_up: BaseException | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        from kombu.exceptions import OperationalError

        exc = record.exc_info[1] if record.exc_info else None
        if record.name == "celery.worker" and isinstance(exc, OperationalError):  # kombu's "connection failed"
            self.gave_up = exc
            return False
        # the reconnect records carry the connection error among their arguments
        args = record.args if isinstance(record.args, tuple) else ()
        return not (record.name == "celery.worker.consumer.consumer"
                    and any(isinstance(a, Exception) for a in args))
