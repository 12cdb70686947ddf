"""Trainer: posts the job (its HE keys stay local), runs rounds, verifies and decrypts aggregates, mints the $Model."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass

import numpy as np

from orchestrator.actions import ensure_allowance
from orchestrator.actions.jobs import JobTerms, create_job
from orchestrator.errors import ContractRevert, InvalidInput
from orchestrator.listener import ChainEvent, HandlerContext, OutboxRow
from orchestrator.metadata import Lineage, build_model_metadata, canonical_json
from orchestrator.training import masking, payloads
from orchestrator.training.agent import Agent, NotReady
from orchestrator.training.commitments import job_info, now, round_state
from orchestrator.training.keys import KeyStore
from orchestrator.training.modes import handler_for
from orchestrator.training.spec import JobSpec
from orchestrator.training.verify import verify_round

log = logging.getLogger(__name__)


@dataclass
class RoundReport:
    round: int
    accuracy: float | None
    loss: float | None
    weights_sha256: str
    aggregate_verified: bool


def portfolio_weight_cap(chain, storage, portfolio_id: int) -> int:
    """The largest record count among the portfolio's $Data (public metadata): the FedAvg weight cap."""
    ids, _ = chain.call("PortfolioNFT.compositionOf", portfolio_id)
    counts = []
    for d in ids:
        doc = json.loads(storage.get(chain.call("DataNFT.metadataCidOf", d)))
        counts.append(int(doc.get("properties", {}).get("record_count", 0)))
    return max(counts + [1])


def post_job(chain, storage, keys: KeyStore, portfolio_id: int, spec: JobSpec, terms: JobTerms,
             max_parties: int = 8) -> int:
    """Generate HE keys here, publish the public context, the spec and the first global model (per the
    spec's mode, :mod:`orchestrator.training.modes`); create the job."""
    handler = handler_for(spec)
    if spec.mode == "stats" and terms.rounds != 1:
        raise InvalidInput("stats runs exactly one round (--rounds 1)")
    spec, public = handler.publish(storage, keys, spec, max_parties)
    ctx_cid = storage.add_bytes(public)
    cap = spec.weight_cap if spec.weight_cap > 1 else portfolio_weight_cap(chain, storage, portfolio_id)
    spec = dataclasses.replace(spec, weight_cap=cap)
    spec_cid = storage.add_bytes(spec.to_json())
    job_id, _ = create_job(chain, dataclasses.replace(terms, portfolio_id=portfolio_id, model_spec_cid=spec_cid,
                                                      he_context_cid=ctx_cid))
    return job_id


class TrainerAgent(Agent):
    """``test_ref``: the trainer's own held-out data (a workers DataRef dict) for per-round evaluation.

    ``fast_forward``: on a local chain, advance time past challenge windows instead of waiting.
    """

    role = "trainer"

    def __init__(self, *args, keys: KeyStore, test_ref: dict, fast_forward: bool = False, **kw):
        self.keys = keys
        self.test_ref = test_ref
        self.fast_forward = fast_forward
        self.history: list[RoundReport] = []
        self.round_metrics: dict[int, list[dict]] = {}  # job -> evaluation per round (the $Model's per_round)
        self.disputes: list[tuple[int, int, str]] = []  # raised by this process (a report; the chain decides)
        self.refused: list[tuple[int, int, int]] = []  # (job, round, included): aggregates never decrypted
        self.models: dict[int, int] = {}
        self.results: dict[int, dict] = {}  # job -> mode result (stats: the decrypted statistics)
        super().__init__(*args, **kw)

    def register(self) -> None:
        self.on("AggregatorVolunteered", lambda ev, ctx: self._mine(ev, ctx, "select", 0,
                                                                    participant=ev.args["participant"]))
        self.on("JobOpened", lambda ev, ctx: self._mine(ev, ctx, "start", 1))
        self.on("AggregateSubmitted", lambda ev, ctx: self._mine(ev, ctx, "close", ev.args["round"]))
        self.on("JobFinalized", self._finalized)
        self.on("DisputeResolved", self._dispute_resolved)

    def _mine(self, ev: ChainEvent, ctx: HandlerContext, kind: str, round_: int, **payload) -> None:
        if self.wants(ev.args["jobId"]):
            self.queue(ctx, kind, ev.args["jobId"], round_, **payload)

    def _dispute_resolved(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        """Resume the disputed round (a new row: the old close row may have been marked done)."""
        if self.wants(ev.args["jobId"]):
            key = f"{self.instance}:{self.role}:resume:{ev.args['jobId']}:{ev.block_hash}:{ev.log_index}"
            ctx.outbox(key, "resume", {"job": ev.args["jobId"], "round": 0, "upheld": ev.args["upheld"]})

    def _finalized(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        self.models[ev.args["jobId"]] = ev.args["modelId"]

    def _job(self, job_id: int):
        job = job_info(self.chain, job_id)
        return job if job.trainer == self.me else None

    # -- side effects --
    def do_select(self, row: OutboxRow) -> None:
        job = self._job(row.payload["job"])
        if job and job.status in ("created", "open") and int(job.aggregator, 16) == 0:
            self.chain.transact("JobMarket.selectAggregator", job.job_id, row.payload["participant"])

    def do_start(self, row: OutboxRow) -> None:
        job = self._job(row.payload["job"])
        if job and job.status == "open" and job.current_round == 0:
            spec = payloads.spec(self.storage, job.spec_cid)
            self._seal_masks(job.job_id)  # JobMarket starts round 1 only once the members are sealed
            self.chain.transact("JobMarket.startRound", job.job_id, 1, spec.init_weights_cid)

    def _seal_masks(self, job_id: int) -> None:
        """Drive the masking setup: close the keys once every participant committed (or the join deadline
        passed), seal once every key holder's bundle is in (or the share deadline passed)."""
        s = masking.setup_of(self.chain, job_id)
        if s.sealed:
            return
        t = now(self.chain)
        if not s.keys_closed:
            j = self.chain.call("JobMarket.jobOf", job_id)
            if s.key_bits != j["joinedBits"] and t <= j["joinDeadline"]:
                raise NotReady(f"{bin(s.key_bits).count('1')}/{j['participantCount']} owners committed keys")
            self.chain.transact(f"{masking.CONTRACT}.closeKeys", job_id)
            raise NotReady("share phase open")
        if s.share_bits != s.key_bits and t <= s.shares_deadline:
            raise NotReady(f"{bin(s.share_bits).count('1')}/{bin(s.key_bits).count('1')} share bundles in")
        self.chain.transact(f"{masking.CONTRACT}.seal", job_id)

    def _unmasked(self, job, rs):
        """``rs`` with the aggregate's masks removed (from the on-chain reveals), or None when it cannot be yet."""
        s = masking.setup_of(self.chain, job.job_id)
        revealed = self.chain.call(f"{masking.CONTRACT}.revealedBitsOf", job.job_id, rs.round) & s.members
        if revealed != s.members and now(self.chain) <= rs.challenge_end:
            raise NotReady(f"{bin(revealed).count('1')}/{bin(s.members).count('1')} members revealed")
        for i in masking.bits(s.members & ~revealed):  # penalised like a missing update
            try:
                self.chain.transact(f"{masking.CONTRACT}.penalizeMissingReveal", job.job_id, rs.round,
                                    self.chain.call("JobMarket.participantAt", job.job_id, i))
            except ContractRevert as exc:
                if exc.error not in ("NotMissed", "BelowThreshold"):
                    raise
        public = payloads.raw(self.storage, job.context_cid)
        try:
            clear = masking.unmask_aggregate(self.chain, public, payloads.raw(self.storage, rs.aggregate_cid),
                                             job.job_id, rs.round, rs.included_bits)
        except masking.SharesMissing as exc:
            log.error("job #%d round %d: cannot unmask the aggregate: %s (the round will time out)",
                      job.job_id, rs.round, exc)
            self.refused.append((job.job_id, rs.round, rs.n_included))
            return None
        return dataclasses.replace(rs, aggregate_cid=self.storage.add_bytes(clear))

    def _my_dispute(self, job_id: int, rnd: int):
        """My DisputeRaised for (job, round) on chain, or None (survives restarts, unlike ``self.disputes``)."""
        evs = self.chain.events("JobMarket", "DisputeRaised", jobId=job_id, round=rnd, disputer=self.me)
        return evs[-1] if evs else None

    def do_resume(self, row: OutboxRow) -> None:
        """After DisputeResolved: close the disputed round (upheld: the job settled, nothing to do)."""
        job_id = row.payload["job"]
        evs = self.chain.events("JobMarket", "DisputeRaised", jobId=job_id)
        if not evs:
            return
        self.do_close(OutboxRow(row.id, row.key, "close", {"job": job_id, "round": evs[-1].args["round"]},
                                row.attempts))

    def do_close(self, row: OutboxRow) -> None:
        job_id, rnd = row.payload["job"], row.payload["round"]
        job = self._job(job_id)
        if not job or job.status != "running" or job.current_round != rnd:
            return
        rs = round_state(self.chain, job_id, rnd)
        if not rs.aggregated:
            return
        if rs.n_included < rs.min_included:  # privacy: a sum of one update is that owner's update
            log.error("job #%d round %d: the aggregate includes %d update(s), at least %d are needed; "
                      "REFUSING to decrypt it (the round will time out)", job_id, rnd, rs.n_included, rs.min_included)
            self.refused.append((job_id, rnd, rs.n_included))
            return
        if self.chain.call("JobMarket.jobOf", job_id)["disputed"]:
            raise NotReady("a dispute is pending")
        verified = self._my_dispute(job_id, rnd) is None
        if not verified:
            # I disputed this round and the dispute was rejected (upheld settles the job): the arbiter ruled
            log.warning("job #%d round %d: my dispute was rejected by the arbiter; going on", job_id, rnd)
        else:
            verdict = verify_round(self.chain, self.storage, job_id, rnd,
                                   run=lambda name, args: self.executor.run(name, args, f"{self.task_id(row)}:verify"))
            if not verdict.ok:
                log.error("job #%d round %d: %s; raising a dispute", job_id, rnd, verdict.reason)
                if self._dispute(job_id, rnd, verdict.reason):
                    raise NotReady("dispute raised; waiting for its resolution")
                return
        spec = payloads.spec(self.storage, job.spec_cid)
        handler = handler_for(spec)
        if masking.enabled(self.chain):
            rs = self._unmasked(job, rs)
            if rs is None:
                return
        if verified and spec.mode == "fedavg" and spec.scheme == "bfv-packed":
            reason = self._weight_mismatch(job, spec, rs)
            if reason is not None:
                log.error("job #%d round %d: %s; raising a dispute", job_id, rnd, reason)
                if self._dispute(job_id, rnd, reason):
                    raise NotReady("dispute raised; waiting for its resolution")
                return
        t = now(self.chain)
        if t < rs.challenge_end:
            if not self.fast_forward:
                raise NotReady(f"challenge window open for {rs.challenge_end - t}s")
            self.chain.increase_time(rs.challenge_end - t + 1)
        rc = self.round_context(job.context_cid, self.task_id(row), keys=self.keys, test_ref=self.test_ref)
        step = handler.trainer_step(rc, job, spec, rs)  # decrypts here, in the trainer's own process
        self.history.append(RoundReport(rnd, step.accuracy, step.loss, hashlib.sha256(step.weights).hexdigest(),
                                        verified))
        if step.accuracy is not None or step.loss is not None:
            self.round_metrics.setdefault(job_id, []).append({"round": rnd, "accuracy": step.accuracy, "loss": step.loss})
        if step.result is not None:
            self.results[job_id] = step.result
        if rnd < job.rounds:  # (encrypted-model: only the encrypted next model is published)
            nxt = step.weights if step.next_global is None else step.next_global
            self.chain.transact("JobMarket.startRound", job_id, rnd + 1, self.storage.add_bytes(nxt))
            return
        cid = self.storage.add_bytes(step.weights)
        doc = build_model_metadata(
            f"job #{job_id} model", handler.description(spec),
            lineage=Lineage(job_id, job.portfolio_id, job.rounds, cid, step.metrics,
                            per_round=self.round_metrics.get(job_id, ())),
            framework=handler.framework, mode=handler.meta_mode)
        meta_cid = self.storage.add_bytes(canonical_json(doc))
        metrics_hash = hashlib.sha256(canonical_json(step.metrics)).digest()
        tx = self.chain.transact("JobMarket.finalize", job_id, cid, metrics_hash, meta_cid)
        self.models[job_id] = tx.event("JobFinalized").args["modelId"]

    def _weight_mismatch(self, job, spec, rs) -> str | None:
        """bfv-packed decrypts the total weight exactly: it must be the sum of the included owners' declared
        sample counts (as weights), else an owner encrypted a weight other than the one it declared."""
        from workers import he  # decrypted here, in the trainer's own process

        public = payloads.raw(self.storage, job.context_cid)
        params = he.load_public_context(public).params
        _, total = he.decrypt_sum(self.keys.secret_for(public), payloads.raw(self.storage, rs.aggregate_cid))
        got = he.weight_units(params, total)
        cap = spec.weight_cap
        declared = sum(he.weight_units(params, min(u.samples, cap) / cap) for u in rs.included())
        if got != declared:
            return f"total weight {got} decrypted, {declared} declared (sample counts of the included updates)"
        return None

    def _dispute(self, job_id: int, rnd: int, reason: str) -> bool:
        """Raise a dispute on (job, round) unless one is on chain already; False when it cannot be raised."""
        if self._my_dispute(job_id, rnd) is None:
            ensure_allowance(self.chain, "JobMarket", self.chain.call("JobMarket.params")["disputeDeposit"])
            evidence = self.storage.add_bytes(canonical_json({"job": job_id, "round": rnd, "reason": reason}))
            try:
                self.chain.transact("JobMarket.raiseDispute", job_id, rnd, evidence)
            except ContractRevert as exc:
                if exc.error == "ChallengeWindowClosed":
                    log.error("job #%d round %d: too late to dispute; not using this aggregate", job_id, rnd)
                    return False
                if exc.error != "DisputePending":
                    raise
        self.disputes.append((job_id, rnd, reason))
        return True


def weights_of(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4").copy()
