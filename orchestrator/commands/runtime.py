"""`datacap listen` and `datacap worker`: the long-running processes of one orchestrator."""

from __future__ import annotations

import click

from orchestrator.commands.base import App, pass_app
from orchestrator.errors import ConfigError


@click.command("listen")
@click.option("--from-block", type=int, default=None, help="Start here (default: the saved cursor).")
@click.option("--once", is_flag=True, help="Process what is there and exit.")
@pass_app
def listen(app: App, from_block, once) -> None:
    """Follow the chain's events (reorg-aware, cursor in SQLite) and dispatch work to the workers.

    \b
    Example:
      datacap listen --once
    """
    try:
        from orchestrator import listener
    except ImportError:
        raise ConfigError("the event listener is not installed in this build (orchestrator/listener.py)") from None
    run = getattr(listener, "run", None) or getattr(listener, "main", None)
    if run is None:
        raise ConfigError("orchestrator.listener exposes no run()")
    run(app.settings, chain=app.chain(signed=False), from_block=from_block, once=once)


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", type=int, default=1, show_default=True)
@click.option("--loglevel", default="info", show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@pass_app
def worker(app: App, concurrency, loglevel, celery_args) -> None:
    """Start a Celery worker (workers.celery app) on the configured Redis, in this process.

    Workers hold no keys and never touch the chain.

    \b
    Example:
      datacap chain up --redis && datacap worker --concurrency 2
    """
    import os

    os.environ.setdefault("DATACAP_REDIS_URL", app.settings.effective_redis_url)
    try:
        from workers.celery import app as celery_app
    except ImportError:
        raise ConfigError("the workers package is not installed in this build (workers/celery.py)") from None
    celery_app.worker_main(["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}", *celery_args])
