"""The skeleton every role shares: chain events -> outbox rows (in the block's transaction) -> side effects.

Handlers only write outbox rows with deterministic keys. ``perform`` runs them afterwards and must be
idempotent: it reads chain state before sending a transaction ("my update for (job, round) is already on
chain") and gives Celery the row key as task id. A row whose moment has not come (challenge window
open, updates still pending) raises :class:`NotReady` and stays pending for the next step.
"""
from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path
from typing import Callable

from orchestrator.chain import Chain
from orchestrator.errors import (BrokerLost, ChainUnavailable, ChainUnreachable, ContractRevert, DatacapError,
                                 ServiceError, StorageUnavailable)
from orchestrator.listener import ChainEvent, ChainMoved, EventListener, HandlerContext, Outbox, OutboxRow, RpcError

log = logging.getLogger(__name__)


class NotReady(Exception):
    """The side effect must wait (deadline, window, missing input); retried at the next step."""


#: contract errors that mean "not now" (a dispute is pending, the challenge window is still open): the row
#: is retried at a later step instead of failing
RETRY_LATER_REVERTS = frozenset({"DisputePending", "ChallengeWindowOpen", "UpdatesPending"})

#: faults of the environment (RPC, storage, broker, timeouts): retried forever
TRANSIENT = (ConnectionError, TimeoutError, OSError, ChainMoved, RpcError, ChainUnavailable, ServiceError,
             StorageUnavailable)

#: a row failing with anything else this many times is given up (logged at ERROR, marked done) so one bad
#: row cannot wedge ``job run``; its chain-side deadline (timeout) settles the job
MAX_ATTEMPTS = 10


class PermanentError(DatacapError):
    """A side effect failed for a reason retrying cannot fix (a strict agent stops on it)."""


class AgentOutbox(Outbox):
    """An outbox whose ``dispatch`` never raises: NotReady rows stay pending quietly, failing rows are
    logged and stay pending (as in the base :class:`Outbox`) while the others go on; a row failing for a
    non-transient reason is given up after :data:`MAX_ATTEMPTS` attempts.

    ``strict`` (what `datacap job run` uses): a non-transient failure raises :class:`PermanentError` at once,
    a lost broker :class:`BrokerLost` and a silent chain node :class:`ChainUnreachable` (which
    :func:`run_agents` waits out for a while), so the command ends with one line instead of logging retries."""

    strict = False

    def dispatch(self, send: Callable[[OutboxRow], None], limit: int = 100) -> int:
        sent = 0
        for row in self.pending(limit):
            try:
                send(row)
            except NotReady as why:
                log.debug("%s not ready: %s", row.key, why)
                continue
            except TRANSIENT as exc:
                if self.strict and isinstance(exc, (BrokerLost, ChainUnreachable)):
                    raise  # without its workers or its node `job run` cannot go on; the row stays pending
                self.conn.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (row.id,))
                log.warning("%s (%s) failed transiently, retried later: %s", row.key, row.kind, exc)
                continue
            except Exception as exc:
                if self.strict:
                    self.conn.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (row.id,))
                    what = str(exc) if isinstance(exc, DatacapError) else f"{type(exc).__name__}: {exc}"
                    raise PermanentError(f"{row.kind} (job {row.payload.get('job')}, round "
                                         f"{row.payload.get('round')}) failed: {what}") from None
                if row.attempts + 1 < MAX_ATTEMPTS:
                    self.conn.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (row.id,))
                    log.exception("%s (%s) failed (attempt %d of %d); left pending", row.key, row.kind,
                                  row.attempts + 1, MAX_ATTEMPTS)
                    continue
                log.exception("%s (%s) failed %d times; GIVING UP on it", row.key, row.kind, MAX_ATTEMPTS)
            self.conn.execute("UPDATE outbox SET attempts = attempts + 1, sent_at = ? WHERE id = ?",
                              (time.time(), row.id))
            sent += 1
        return sent


class Agent:
    """One party's loop over JobMarket events.

    Parameters
    ----------
    chain : Chain
        Connected, with this party's signer.
    storage
        The data plane (local blockstore or Kubo).
    executor
        :class:`~orchestrator.training.executor.Executor` for this party's workers (None if it needs none).
    db_path : Path
        SQLite file of this party's listener cursor and outbox (survives restarts).
    """

    role = "agent"

    def __init__(self, chain: Chain, storage, executor, db_path: Path, *, jobs: set[int] | None = None):
        self.chain = chain
        self.storage = storage
        self.executor = executor
        self.me = chain.address_of_signer()
        self.jobs = jobs  # None: every job this party takes part in
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        self.listener = EventListener(chain.w3, str(db_path), {"JobMarket": chain.contract("JobMarket")},
                                      confirmations=chain.settings.confirmations,
                                      start_block=chain.deployment.start_block, name=self.role)
        self.outbox = AgentOutbox(str(db_path))
        self.instance = self._instance_id()
        self.register()

    def _instance_id(self) -> str:
        """A per-database id prefixed to task ids, so two runs never share a Celery result."""
        c = self.listener.conn
        c.execute("CREATE TABLE IF NOT EXISTS agent_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
        c.execute("INSERT OR IGNORE INTO agent_meta VALUES ('instance', ?)", (secrets.token_hex(4),))
        return c.execute("SELECT v FROM agent_meta WHERE k = 'instance'").fetchone()[0]

    # -- wiring --
    def register(self) -> None:
        """Register handlers on ``self.listener`` (subclasses)."""

    def on(self, event: str, handler: Callable[[ChainEvent, HandlerContext], None]) -> None:
        self.listener.register("JobMarket", event, handler)

    def wants(self, job_id: int) -> bool:
        return self.jobs is None or job_id in self.jobs

    def queue(self, ctx: HandlerContext, kind: str, job_id: int, round_: int = 0, **payload) -> None:
        key = f"{self.instance}:{self.role}:{kind}:{job_id}:{round_}:{self.me[2:10].lower()}"
        ctx.outbox(key, kind, {"job": job_id, "round": round_, **payload})

    def task_id(self, row: OutboxRow) -> str:
        return row.key

    def round_context(self, context_cid: str, task_id: str, **trainer_only):
        """The narrow view a mode handler gets of this party: its store, its workers, the job's context."""
        from orchestrator.training.modes import RoundContext

        return RoundContext(self.storage, self.executor.run, context_cid, task_id, **trainer_only)

    # -- loop --
    def step(self) -> int:
        """Poll confirmed blocks once, then run what is due; returns side effects done."""
        try:
            self.listener.poll_once()
        except ChainMoved as exc:  # the range is read again at the next poll
            log.warning("%s: %s; retrying at the next step", self.role, exc)
        return self.outbox.dispatch(self.perform)

    def perform(self, row: OutboxRow) -> None:
        try:
            getattr(self, f"do_{row.kind.replace('-', '_')}")(row)
        except ContractRevert as exc:
            if exc.error in RETRY_LATER_REVERTS:
                raise NotReady(f"{exc.error}: {exc}") from exc
            raise

    def pending(self) -> int:
        return len(self.outbox.pending())

    def close(self) -> None:
        self.listener.close()
        self.outbox.close()


def run_agents(agents: list[Agent], done: Callable[[], bool], *, interval: float = 0.05,
               timeout: float = 900.0, on_idle: Callable[[], None] | None = None,
               unreachable_for: float | None = None) -> None:
    """Step every agent in turn until ``done()``; ``on_idle`` runs when a full pass did nothing.

    With ``unreachable_for``, a chain node that stops answering is waited for (one warning) and raises
    :class:`ChainUnreachable` once no pass has gone through for that many seconds."""
    deadline = time.monotonic() + timeout
    silent_since: float | None = None  # when the node stopped answering
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"agents did not finish within {timeout:.0f}s")
        try:
            if done():
                return
            worked = sum(a.step() for a in agents)
        except ChainUnreachable:
            if unreachable_for is None:
                raise
            url = agents[0].chain.settings.rpc_url
            if silent_since is None:
                silent_since = time.monotonic()
                log.warning("the chain node at %s stopped answering; waiting up to %g s for it", url,
                            unreachable_for)
            elif time.monotonic() - silent_since > unreachable_for:
                raise ChainUnreachable(f"the chain node at {url} is unreachable (no answer for {unreachable_for:g} s): "
                                       f"start it again, then run the same command to resume") from None
            time.sleep(interval)
            continue
        silent_since = None
        if not worked:
            if on_idle is not None:
                on_idle()
            time.sleep(interval)
