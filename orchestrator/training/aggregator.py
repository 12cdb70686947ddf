"""Aggregator: once a round's updates are in (or its deadline passed), check, sum and commit them.

Each committed ciphertext is fetched by CID, checked against its on-chain hash and validated against the
job's public context; one that fails is EXCLUDED (left out of ``includedBits``, the contract drops its
contribution) with its reason logged -- never summed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from orchestrator.errors import ContractRevert, StorageError
from orchestrator.listener import ChainEvent, HandlerContext, OutboxRow
from orchestrator.training import payloads
from orchestrator.training.agent import Agent, NotReady
from orchestrator.training.commitments import blob_hash, job_info, now, round_state
from orchestrator.training.modes import context_arg, handler_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Exclusion:
    job_id: int
    round: int
    index: int
    participant: str
    reason: str


class AggregatorAgent(Agent):
    role = "aggregator"

    def __init__(self, *args, tamper: Callable[[int, int, bytes], bytes] | None = None, **kw):
        self.tamper = tamper
        self.exclusions: list[Exclusion] = []
        super().__init__(*args, **kw)

    def register(self) -> None:
        self.on("RoundStarted", self._round_started)

    def _round_started(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        if self.wants(ev.args["jobId"]):
            self.queue(ctx, "aggregate", ev.args["jobId"], ev.args["round"])

    def _check(self, ctx: str, n_values: int | None, u, row: OutboxRow) -> str | None:
        """Why update ``u`` cannot be aggregated, or None when it can."""
        try:
            blob = payloads.raw(self.storage, u.cid)
        except StorageError as exc:
            return f"ciphertext {u.cid} unavailable ({exc})"
        if blob_hash(blob) != u.hash:
            return f"ciphertext {u.cid} does not match its on-chain hash 0x{u.hash.hex()}"
        verdict = self.executor.run("datacap.validate_ciphertext", [ctx, payloads.enc(blob), n_values],
                                    f"{self.task_id(row)}:validate:{u.index}")
        return None if verdict["ok"] else f"rejected by the public context: {verdict['reason']}"

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
        rs = round_state(self.chain, job_id, rnd)
        included, blobs = 0, []
        for u in rs.updates:
            reason = self._check(ctx, handler.n_values(spec) or None, u, row)
            if reason is not None:
                log.warning("job #%d round %d: EXCLUDING update of participant %d (%s): %s",
                            job_id, rnd, u.index, u.participant, reason)
                self.exclusions.append(Exclusion(job_id, rnd, u.index, u.participant, reason))
                continue
            included |= 1 << u.index
            blobs.append(payloads.b64(self.storage, u.cid))
        if not blobs:
            log.error("job #%d round %d: no valid update to aggregate", job_id, rnd)
            return
        agg = handler.aggregate(self, spec, ctx, blobs, self.task_id(row))
        if self.tamper is not None:
            agg = self.tamper(job_id, rnd, agg)
        cid = self.storage.add_bytes(agg)
        try:
            self.chain.transact("JobMarket.submitAggregate", job_id, rnd, blob_hash(agg), cid, included)
        except ContractRevert as exc:
            if exc.error != "ResultAlreadySubmitted":
                raise
