"""Data owner: on RoundStarted of a job it joined, have its worker compute, encrypt and store its update; commit it."""
from __future__ import annotations

import logging
from typing import Callable

from orchestrator.errors import ContractRevert
from orchestrator.listener import ChainEvent, HandlerContext, OutboxRow
from orchestrator.training import payloads
from orchestrator.training.agent import Agent
from orchestrator.training.commitments import blob_hash, job_info, now
from orchestrator.training.modes import handler_for

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
        super().__init__(*args, **kw)

    def register(self) -> None:
        self.on("RoundStarted", self._round_started)
        self.on("JobFinalized", self._job_ended)
        self.on("JobCancelled", self._job_ended)

    def _round_started(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        if self.wants(ev.args["jobId"]) and not self.silent:
            self.queue(ctx, "update", ev.args["jobId"], ev.args["round"], global_model_cid=ev.args["globalModelCid"])

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
        up = handler.owner_update(self.round_context(job.context_cid, self.task_id(row)), spec, rnd, p["index"],
                                  row.payload["global_model_cid"], ref)
        cid, digest = up.cid, bytes.fromhex(up.sha256)  # the worker stored the ciphertext itself
        if self.tamper is not None:
            blob = self.tamper(job_id, rnd, self.storage.get(cid))
            cid, digest = self.storage.add_bytes(blob), blob_hash(blob)
        try:
            self.chain.transact("JobMarket.submitUpdate", job_id, rnd, digest, cid, up.n_samples)
        except ContractRevert as exc:
            if exc.error != "UpdateAlreadySubmitted":
                raise
        self.submitted.append((job_id, rnd, cid))

    def do_claim(self, row: OutboxRow) -> None:
        job_id = row.payload["job"]
        p = self.chain.call("JobMarket.participantOf", job_id, self.me)
        if p["joined"] and not p["claimed"]:
            self.chain.transact("JobMarket.claimPayout", job_id)
