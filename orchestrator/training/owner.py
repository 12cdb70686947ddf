"""Data owner: on RoundStarted of a job it joined, compute its update (per the job's mode), encrypt, store, commit.

On every AggregateSubmitted it checks its own inclusion: an update left out must come with a committed reason
(:mod:`exclusion`) that holds for the blob it published; when it does not, the owner disputes on its own.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from orchestrator.actions import ensure_allowance
from orchestrator.errors import ContractRevert, StorageError
from orchestrator.listener import ChainEvent, HandlerContext, OutboxRow
from orchestrator.metadata import canonical_json
from orchestrator.training import payloads
from orchestrator.training.agent import Agent
from orchestrator.training.commitments import blob_hash, job_info, now
from orchestrator.protocol import ExclusionReason
from orchestrator.training.exclusion import KEEP, holds
from orchestrator.training.modes import context_arg, context_fingerprint, handler_for, validate

log = logging.getLogger(__name__)

#: (job, round, ciphertext) -> ciphertext actually published (tests: tampering, wrong context)
BlobHook = Callable[[int, int, bytes], bytes]


class DataOwnerAgent(Agent):
    """``data_refs`` maps this owner's $Data ids to where the plaintext lives (a workers DataRef dict)."""

    role = "owner"

    def __init__(self, *args, data_refs: dict[int, dict], silent: bool = False, tamper: BlobHook | None = None,
                 **kw):
        self.data_refs = {int(k): v for k, v in data_refs.items()}
        self.silent = silent
        self.tamper = tamper
        self.submitted: list[tuple[int, int, str]] = []
        #: (job, round, reason) of each exclusion of mine the aggregator could not justify (and I disputed)
        self.disputes: list[tuple[int, int, str]] = []
        super().__init__(*args, **kw)

    def register(self) -> None:
        self.on("RoundStarted", self._round_started)
        self.on("AggregateSubmitted", self._aggregated)
        self.on("JobFinalized", self._job_ended)
        self.on("JobCancelled", self._job_ended)

    def _round_started(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        if self.wants(ev.args["jobId"]) and not self.silent:
            self.queue(ctx, "update", ev.args["jobId"], ev.args["round"], global_model_cid=ev.args["globalModelCid"])

    def _aggregated(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        if self.wants(ev.args["jobId"]):
            self.queue(ctx, "inclusion", ev.args["jobId"], ev.args["round"])

    def _job_ended(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        if self.wants(ev.args["jobId"]):
            self.queue(ctx, "claim", ev.args["jobId"])

    # -- side effects --
    def do_update(self, row: OutboxRow) -> None:
        job_id, rnd = row.payload["job"], row.payload["round"]
        job = job_info(self.chain, job_id)
        p = self.chain.call("JobMarket.participantOf", job_id, self.me)
        if not p["joined"] or job.status != "running" or job.current_round != rnd:
            return
        if self.chain.call("JobMarket.updateHashOf", job_id, rnd, p["index"]) != b"\x00" * 32:
            log.info("job #%d round %d: my update is already on chain", job_id, rnd)
            return
        deadline = self.chain.call("JobMarket.roundOf", job_id, rnd)["updateDeadline"]
        if now(self.chain) > deadline:
            log.warning("job #%d round %d: update deadline passed before my update was ready", job_id, rnd)
            return
        ref = self.data_refs.get(p["dataId"])
        if ref is None:
            log.warning("job #%d: no local data for $Data #%d; not training", job_id, p["dataId"])
            return
        spec = payloads.spec(self.storage, job.spec_cid)
        handler = handler_for(spec)
        blob, n_samples = handler.owner_update(self, spec, context_arg(self, job.context_cid), rnd, p["index"],
                                               row.payload["global_model_cid"], ref, self.task_id(row))
        if self.tamper is not None:
            blob = self.tamper(job_id, rnd, blob)
        cid = self.storage.add_bytes(blob)
        try:
            self.chain.transact("JobMarket.submitUpdate", job_id, rnd, blob_hash(blob), cid, n_samples)
        except ContractRevert as exc:
            if exc.error != "UpdateAlreadySubmitted":
                raise
        self.submitted.append((job_id, rnd, cid))

    def do_inclusion(self, row: OutboxRow) -> None:
        """Check that my update of the round is included, or excluded for a reason that holds; else dispute."""
        job_id, rnd = row.payload["job"], row.payload["round"]
        p = self.chain.call("JobMarket.participantOf", job_id, self.me)
        r = self.chain.call("JobMarket.roundOf", job_id, rnd)
        bit = 1 << p["index"]
        if not p["joined"] or not r["submittedBits"] & bit or r["includedBits"] & bit:
            return  # not mine to check, or included
        excluded = self.chain.events("JobMarket", "UpdateExcluded", jobId=job_id, round=rnd, participant=self.me)
        reason = ExclusionReason(excluded[-1].args["reason"]) if excluded else KEEP
        mine = self.chain.events("JobMarket", "UpdateSubmitted", jobId=job_id, round=rnd, participant=self.me)[-1]
        committed, cid = bytes(mine.args["hash"]), mine.args["cid"]
        job = job_info(self.chain, job_id)
        try:
            blob = payloads.raw(self.storage, cid)
        except StorageError as exc:
            log.warning("job #%d round %d: my own update %s is unavailable here (%s); cannot rebut", job_id, rnd,
                        cid, exc)
            return
        spec = payloads.spec(self.storage, job.spec_cid)
        verdict = validate(self, context_arg(self, job.context_cid), blob, handler_for(spec).n_values(spec) or None,
                           f"{self.task_id(row)}:validate")
        if holds(reason, blob, committed, context_fingerprint(self.storage, job.context_cid), verdict["ok"]):
            log.info("job #%d round %d: my update was excluded as %s, which holds", job_id, rnd, reason.name)
            return
        log.error("job #%d round %d: my update was excluded as %s, which does not hold for the blob I published; "
                  "disputing", job_id, rnd, reason.name)
        self._dispute(job_id, rnd, p["index"], reason)

    def _dispute(self, job_id: int, rnd: int, index: int, reason: ExclusionReason) -> None:
        ensure_allowance(self.chain, "JobMarket", self.chain.call("JobMarket.params")["disputeDeposit"])
        evidence = self.storage.add_bytes(canonical_json(
            {"job": job_id, "round": rnd, "excluded": index, "claimed_reason": reason.name,
             "rebuttal": "the committed blob hashes to its commitment and validates under the job's context"}))
        try:
            self.chain.transact("JobMarket.raiseDispute", job_id, rnd, evidence)
        except ContractRevert as exc:
            if exc.error not in ("DisputePending", "ChallengeWindowClosed"):
                raise
            log.warning("job #%d round %d: dispute not raised (%s)", job_id, rnd, exc.error)
            return
        self.disputes.append((job_id, rnd, reason.name))

    def do_claim(self, row: OutboxRow) -> None:
        job_id = row.payload["job"]
        p = self.chain.call("JobMarket.participantOf", job_id, self.me)
        if p["joined"] and not p["claimed"]:
            self.chain.transact("JobMarket.claimPayout", job_id)
