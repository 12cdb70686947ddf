"""Aggregator: once a round's updates are in (or its deadline passed), check, sum and commit them.

The aggregator's worker fetches each committed ciphertext by CID, checks it against its on-chain hash and
validates it against the job's public context (the agent only passes CIDs and hashes); one that fails is EXCLUDED (left out of ``includedBits``, the contract drops its
contribution) with its reason logged -- never summed. An owner's update must claim exactly one party in its
header (a forged party count would pass alone but make the sum exceed the context's party limit).

An aggregate of fewer than ``JobMarket.MIN_AGGREGATE`` updates is never submitted (the trainer could decrypt a
single owner's update): the round is left to time out.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Callable

from orchestrator.errors import ContractRevert, StorageError
from orchestrator.listener import ChainEvent, HandlerContext, OutboxRow
from orchestrator.training import payloads
from orchestrator.training.agent import Agent, NotReady
from orchestrator.training.commitments import blob_hash, job_info, now, round_state
from orchestrator.protocol import ExclusionReason, min_aggregate
from orchestrator.training.exclusion import KEEP, binding_for, decide
from orchestrator.training.modes import context_fingerprint, handler_for

log = logging.getLogger(__name__)


#: a failing aggregate task with one of these is retried (the row stays pending); anything else is bad input
TRANSIENT_TASK_ERRORS = (ConnectionError, TimeoutError, OSError)


def _transient(exc: BaseException) -> bool:
    try:
        from celery.exceptions import TimeoutError as CeleryTimeout
    except ImportError:  # pragma: no cover
        CeleryTimeout = TimeoutError
    return isinstance(exc, TRANSIENT_TASK_ERRORS + (CeleryTimeout,))


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
        self.tamper = tamper
        #: (job, round, index) -> a reason to exclude an update that passed every check (tests: a lying aggregator)
        self.misjudge = misjudge
        self.exclusions: list[Exclusion] = []
        super().__init__(*args, **kw)

    def register(self) -> None:
        self.on("RoundStarted", self._round_started)

    def _round_started(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        if self.wants(ev.args["jobId"]):
            self.queue(ctx, "aggregate", ev.args["jobId"], ev.args["round"])

    def _check(self, rc, n_values: int | None, job_id: int, rnd: int, u) -> tuple[str | None, bool]:
        """(why update ``u`` cannot be aggregated, None when it can; whether it validates under the job's public
        context as one owner's update). The worker fetches and checks it."""
        verdict = rc.run("datacap.validate_ciphertext", [rc.storage, rc.context_cid, u.cid, u.hash.hex(), n_values],
                         f"{rc.task_id}:validate:{u.index}")
        if not verdict["ok"]:
            return f"rejected: {verdict['reason']}", False
        # (the task reports the header's party count; he.validate_ciphertext(..., n_parties=1) checks the same)
        if verdict.get("n_parties") != 1:
            return f"ciphertext header claims {verdict.get('n_parties')} parties; an owner update must claim 1", False
        if bytes.fromhex(verdict["binding"]) != binding_for(self.chain, job_id, rnd, u.participant):
            return "its header binds it to another sender, job or round (a copied update)", True
        return None, True

    def _code(self, u, context_cid: str, job_id: int, rnd: int, valid: bool) -> ExclusionReason:
        """The committed reason code of a rejected update, decided from public data (:mod:`exclusion`); ``valid``:
        whether it validates under the job's public context (:meth:`_check`)."""
        try:
            blob = payloads.raw(self.storage, u.cid)
        except StorageError:
            return ExclusionReason.HashMismatch
        return decide(blob, blob_hash(blob) == u.hash, context_fingerprint(self.storage, context_cid), valid,
                      binding_for(self.chain, job_id, rnd, u.participant))

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
        rc = self.round_context(job.context_cid, self.task_id(row))
        rs = round_state(self.chain, job_id, rnd)
        kept = []
        for u in rs.updates:
            reason, valid = self._check(rc, handler.n_values(spec) or None, job_id, rnd, u)
            code = KEEP if reason is None else self._code(u, job.context_cid, job_id, rnd, valid)
            if code is KEEP and self.misjudge is not None:
                code, reason = self.misjudge(job_id, rnd, u.index) or KEEP, "misjudged (test hook)"
            if code is not KEEP:
                self._exclude(job_id, rnd, u, code, reason)
                continue
            kept.append(u)
        while True:
            if len(kept) < min_aggregate(self.chain):
                log.error("job #%d round %d: only %d valid update(s), at least %d needed; not aggregating "
                          "(the round will time out)", job_id, rnd, len(kept), min_aggregate(self.chain))
                return
            try:
                out = handler.aggregate(rc, spec, kept)
                break
            except Exception as exc:
                if _transient(exc):
                    raise
                # Bad input the per-update checks missed: exclude the update the task names, else give up
                # the round (the contract's timeout settles it) -- never crash `job run`.
                bad = getattr(exc, "index", None)
                if bad is None or not 0 <= bad < len(kept):
                    log.error("job #%d round %d: aggregating %d updates failed (%s); not aggregating",
                              job_id, rnd, len(kept), exc)
                    return
                self._exclude(job_id, rnd, kept[bad], ExclusionReason.MalformedBlob, f"aggregation rejected it: {exc}")
                del kept[bad]
                # a new deterministic task id per included set (the failed one keeps its stored failure)
                rc = dataclasses.replace(rc, task_id=f"{self.task_id(row)}:" + format(sum(1 << u.index for u in kept), "x"))
        included = sum(1 << u.index for u in kept)
        codes = {e.index: int(e.code) for e in self.exclusions if (e.job_id, e.round) == (job_id, rnd)}
        reasons = [codes[u.index] for u in rs.updates if not included >> u.index & 1]  # ascending index
        cid, digest = out["cid"], bytes.fromhex(out["sha256"])  # the worker stored the sum itself
        if self.tamper is not None:
            agg = self.tamper(job_id, rnd, self.storage.get(cid))
            cid, digest = self.storage.add_bytes(agg), blob_hash(agg)
        try:
            self.chain.transact("JobMarket.submitAggregate", job_id, rnd, digest, cid, included, reasons)
        except ContractRevert as exc:
            if exc.error == "TooFewIncluded":
                log.error("job #%d round %d: the contract wants more included updates: %s", job_id, rnd, exc)
                return
            if exc.error != "ResultAlreadySubmitted":
                raise
