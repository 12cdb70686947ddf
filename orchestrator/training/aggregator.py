"""Aggregator: once a round's updates are in (or its deadline passed), check, sum and commit them.

Each committed ciphertext is fetched by CID, checked against its on-chain hash and validated against the
job's public context; one that fails is EXCLUDED (left out of ``includedBits``, the contract drops its
contribution) -- never summed -- with a reason code committed on chain (:mod:`exclusion`) that anyone, the
excluded owner first, can re-check from public data. An owner's update must claim exactly one party in its
header (a forged party count would pass alone but make the sum exceed the context's party limit).

An aggregate of fewer than ``JobMarket.MIN_AGGREGATE`` updates is never submitted (the trainer could decrypt a
single owner's update): the round is left to time out.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Callable

from orchestrator.errors import ContractRevert, StorageError
from orchestrator.listener import ChainEvent, HandlerContext, OutboxRow
from orchestrator.training import payloads
from orchestrator.training.agent import Agent, NotReady
from orchestrator.training.commitments import blob_hash, job_info, now, round_state
from orchestrator.protocol import ExclusionReason, min_aggregate
from orchestrator.training.exclusion import KEEP, decide
from orchestrator.training.modes import context_arg, context_fingerprint, handler_for, validate

log = logging.getLogger(__name__)

#: a failing aggregate task with one of these is retried (the row stays pending); anything else is bad input
TRANSIENT_TASK_ERRORS = (ConnectionError, TimeoutError, OSError)


def _transient(exc: BaseException) -> bool:
    try:
        from celery.exceptions import TimeoutError as CeleryTimeout
    except ImportError:  # pragma: no cover
        CeleryTimeout = TimeoutError
    return isinstance(exc, TRANSIENT_TASK_ERRORS + (CeleryTimeout,))


def _bad_blob(exc: BaseException) -> int | None:
    """The position named by an aggregate failure ("blob 2: ..."), if any."""
    m = re.search(r"\bblob (\d+):", str(exc))
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class Exclusion:
    job_id: int
    round: int
    index: int
    participant: str
    code: ExclusionReason
    reason: str


class AggregatorAgent(Agent):
    role = "aggregator"

    def __init__(self, *args, tamper: Callable[[int, int, bytes], bytes] | None = None,
                 misjudge: Callable[[int, int, int], ExclusionReason | None] | None = None, **kw):
        """``tamper`` rewrites the aggregate; ``misjudge(job, round, index)`` excludes an update that passed
        every check (both: tests of a lying aggregator)."""
        self.tamper = tamper
        self.misjudge = misjudge
        self.exclusions: list[Exclusion] = []
        super().__init__(*args, **kw)

    def register(self) -> None:
        self.on("RoundStarted", self._round_started)

    def _round_started(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        if self.wants(ev.args["jobId"]):
            self.queue(ctx, "aggregate", ev.args["jobId"], ev.args["round"])

    def _check(self, ctx: str, fp: bytes, n_values: int | None, u, row: OutboxRow) -> tuple[ExclusionReason, str]:
        """Why update ``u`` cannot be aggregated (code and explanation); code NONE when it can."""
        try:
            blob = payloads.raw(self.storage, u.cid)
        except StorageError as exc:
            return ExclusionReason.HashMismatch, f"ciphertext {u.cid} unavailable ({exc})"
        if blob_hash(blob) != u.hash:
            return ExclusionReason.HashMismatch, f"ciphertext {u.cid} does not match its on-chain hash 0x{u.hash.hex()}"
        verdict = validate(self, ctx, blob, n_values, f"{self.task_id(row)}:validate:{u.index}")
        code = decide(blob, True, fp, verdict["ok"])
        return code, "" if code is KEEP else f"rejected by the public context: {verdict['reason']}"

    def _exclude(self, job_id: int, rnd: int, u, code: ExclusionReason, reason: str) -> None:
        log.warning("job #%d round %d: EXCLUDING update of participant %d (%s) as %s: %s",
                    job_id, rnd, u.index, u.participant, code.name, reason)
        self.exclusions.append(Exclusion(job_id, rnd, u.index, u.participant, code, reason))

    def do_aggregate(self, row: OutboxRow) -> None:
        job_id, rnd = row.payload["job"], row.payload["round"]
        job = job_info(self.chain, job_id)
        if job.aggregator != self.me or job.status != "running" or job.current_round != rnd:
            return
        r = self.chain.call("JobMarket.roundOf", job_id, rnd)
        if r["aggregateHash"] != b"\x00" * 32:
            return
        t = now(self.chain)
        if r["submittedCount"] < job.participants and t <= r["updateDeadline"]:
            raise NotReady(f"{r['submittedCount']}/{job.participants} updates, deadline in {r['updateDeadline'] - t}s")
        if t > r["aggregateDeadline"]:
            log.error("job #%d round %d: aggregate deadline passed", job_id, rnd)
            return
        spec = payloads.spec(self.storage, job.spec_cid)
        handler = handler_for(spec)
        ctx = context_arg(self, job.context_cid)
        fp = context_fingerprint(self.storage, job.context_cid)
        rs = round_state(self.chain, job_id, rnd)
        kept, blobs = [], []
        for u in rs.updates:
            code, reason = self._check(ctx, fp, handler.n_values(spec) or None, u, row)
            if code is KEEP and self.misjudge is not None:
                code = self.misjudge(job_id, rnd, u.index) or code
                reason = "misjudged (test hook)"
            if code is not KEEP:
                self._exclude(job_id, rnd, u, code, reason)
                continue
            kept.append(u)
            blobs.append(payloads.b64(self.storage, u.cid))
        task_id = self.task_id(row)
        while True:
            if len(kept) < min_aggregate(self.chain):
                log.error("job #%d round %d: only %d valid update(s), at least %d needed; not aggregating "
                          "(the round will time out)", job_id, rnd, len(kept), min_aggregate(self.chain))
                return
            try:
                agg = handler.aggregate(self, spec, ctx, blobs, task_id)
                break
            except Exception as exc:
                if _transient(exc):
                    raise
                # Bad input the per-update checks missed: exclude the update the task names, else give up
                # the round (the contract's timeout settles it) -- never crash `job run`.
                bad = _bad_blob(exc)
                if bad is None or not 0 <= bad < len(kept):
                    log.error("job #%d round %d: aggregating %d updates failed (%s); not aggregating",
                              job_id, rnd, len(kept), exc)
                    return
                self._exclude(job_id, rnd, kept[bad], ExclusionReason.MalformedBlob, f"aggregation rejected it: {exc}")
                del kept[bad], blobs[bad]
                # a new deterministic task id per included set (the failed one keeps its stored failure)
                task_id = f"{self.task_id(row)}:" + format(sum(1 << u.index for u in kept), "x")
        included = sum(1 << u.index for u in kept)
        codes = {e.index: int(e.code) for e in self.exclusions if (e.job_id, e.round) == (job_id, rnd)}
        reasons = [codes[u.index] for u in rs.updates if not included >> u.index & 1]  # ascending index
        if self.tamper is not None:
            agg = self.tamper(job_id, rnd, agg)
        cid = self.storage.add_bytes(agg)
        try:
            self.chain.transact("JobMarket.submitAggregate", job_id, rnd, blob_hash(agg), cid, included, reasons)
        except ContractRevert as exc:
            if exc.error == "TooFewIncluded":
                log.error("job #%d round %d: the contract wants more included updates: %s", job_id, rnd, exc)
                return
            if exc.error != "ResultAlreadySubmitted":
                raise
