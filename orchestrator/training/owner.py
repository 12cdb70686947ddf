"""Data owner: on RoundStarted of a job it joined, compute its update (per the job's mode), encrypt, mask, store,
commit; before the first round commit its masking keys and share bundle, after each aggregate reveal its shares."""
from __future__ import annotations

import logging
from typing import Callable

from orchestrator.actions import ensure_allowance
from orchestrator.errors import ContractRevert, StorageError
from orchestrator.metadata import canonical_json
from orchestrator.protocol import ExclusionReason
from orchestrator.training.exclusion import KEEP, binding_for, binding_of, bound, holds
from orchestrator.listener import ChainEvent, HandlerContext, OutboxRow
from orchestrator.storage import open_storage
from orchestrator.training import masking, payloads
from orchestrator.training.agent import Agent, NotReady
from orchestrator.training.commitments import blob_hash, job_info, now
from orchestrator.training.modes import context_fingerprint, handler_for

log = logging.getLogger(__name__)

#: (job, round, ciphertext) -> ciphertext actually published (tests: tampering, wrong context)
BlobHook = Callable[[int, int, bytes], bytes]

#: masking phases a test may make an owner drop out of (``skip=``)
PHASES = ("keys", "shares", "reveal")


class DataOwnerAgent(Agent):
    """``data_refs`` maps this owner's $Data ids to where the plaintext lives (a workers DataRef dict)."""

    role = "owner"

    def __init__(self, *args, data_refs: dict[int, dict], silent: bool = False, tamper: BlobHook | None = None,
                 skip: frozenset[str] = frozenset(), tamper_bundle: Callable[[bytes], bytes] | None = None,
                 declare: Callable[[int], int] | None = None, **kw):
        self.data_refs = {int(k): v for k, v in data_refs.items()}
        self.silent = silent
        self.tamper = tamper
        self.skip = frozenset(skip)
        self.tamper_bundle = tamper_bundle
        self.declare = declare  # tests: true sample count -> the one committed on chain
        self.submitted: list[tuple[int, int, str]] = []
        self.rejected_bundles: list[tuple[int, int, str]] = []  # (job, dealer, reason)
        self._opened: dict[int, dict[int, masking.OpenedBundle]] = {}
        #: (job, round, reason) of each exclusion of mine the aggregator could not justify (and I disputed)
        self.disputes: list[tuple[int, int, str]] = []
        super().__init__(*args, **kw)

    def register(self) -> None:
        self.on("Joined", self._joined)
        self.on("RoundStarted", self._round_started)
        self.on("AggregateSubmitted", self._aggregated)
        self.on("JobFinalized", self._job_ended)
        self.on("JobCancelled", self._job_ended)

    def _round_started(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        if self.wants(ev.args["jobId"]) and not self.silent:
            self.queue(ctx, "update", ev.args["jobId"], ev.args["round"], global_model_cid=ev.args["globalModelCid"])

    def _joined(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        if self.wants(ev.args["jobId"]) and ev.args["participant"] == self.me:
            self.queue(ctx, "keys", ev.args["jobId"])
            self.queue(ctx, "shares", ev.args["jobId"])

    def _aggregated(self, ev: ChainEvent, ctx: HandlerContext) -> None:
        if self.wants(ev.args["jobId"]):
            self.queue(ctx, "reveal", ev.args["jobId"], ev.args["round"])
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
        if p["dataId"] not in self.data_refs:
            log.warning("job #%d: no local data for $Data #%d; not training", job_id, p["dataId"])
            return
        spec = payloads.spec(self.storage, job.spec_cid)
        handler = handler_for(spec)
        setup = masking.setup_of(self.chain, job_id) if masking.enabled(self.chain) else None
        if setup is not None and (not setup.sealed or not setup.members >> p["index"] & 1):
            log.error("job #%d round %d: I am not in the sealed masking set; NOT publishing an unmasked update",
                      job_id, rnd)
            return
        binding = binding_for(self.chain, job_id, rnd, self.me)
        # Each participant commits once per round, so at most participants - 1 others can commit my hash (copied
        # from my pending transaction) before me: that many fresh encryptions are enough to get mine in.
        for attempt in range(job.participants):
            blob, samples = self._encrypt(row, job, spec, handler, p, rnd, setup, attempt)
            blob = bound(blob, binding)  # inside the committed hash
            if self.tamper is not None:
                blob = self.tamper(job_id, rnd, blob)
            cid, digest = self.storage.add_bytes(blob), blob_hash(blob)
            declared = samples if self.declare is None else self.declare(samples)
            try:  # simulated first (eth_estimateGas): a commitment that would revert sends no transaction
                self.chain.transact("JobMarket.submitUpdate", job_id, rnd, digest, cid, declared)
            except ContractRevert as exc:
                if exc.error == "DuplicateUpdate" and binding_of(blob) == binding:
                    log.warning("job #%d round %d: another participant committed my update's hash %s first (a copy: "
                                "its blob names me, so it is excluded as WrongSender); re-encrypting my update and "
                                "committing again", job_id, rnd, digest.hex())
                    continue
                if exc.error == "DuplicateUpdate":
                    log.error("job #%d round %d: my update duplicates a committed one and is not bound to me; "
                              "not committing it", job_id, rnd)
                    return
                if exc.error != "UpdateAlreadySubmitted":
                    raise
            self.submitted.append((job_id, rnd, cid))
            return

    def _encrypt(self, row: OutboxRow, job, spec, handler, p: dict, rnd: int, setup: masking.Setup | None,
                 attempt: int) -> tuple[bytes, int]:
        """(my update blob for round ``rnd``, its sample count): trained and encrypted by a worker, masked here
        when ``setup`` is given. Attempt ``k > 0`` is a fresh encryption (a new task) of the same update under
        the same masks, so it hashes differently and the masked sum stays exact."""
        task_id = self.task_id(row) if attempt == 0 else f"{self.task_id(row)}:fresh{attempt}"
        rc = self.round_context(job.context_cid, task_id, scratch=open_storage(
            "local", root=self.chain.settings.data_dir / "private" / self.me.lower()))
        up = handler.owner_update(rc, spec, rnd, p["index"], row.payload["global_model_cid"],
                                  self.data_refs[p["dataId"]])
        blob = rc.scratch.get(up.cid)  # the worker stored the ciphertext in my scratch store, never published
        if setup is not None:  # masked here, in the owner's own process (its mask secrets never reach a worker)
            blob = masking.mask_update(payloads.raw(self.storage, job.context_cid), blob, job.job_id, rnd, p["index"],
                                       self._secrets(job.job_id, job.rounds), masking.bits(setup.members),
                                       masking.keys_of(self.chain, job.job_id))
        return blob, up.n_samples

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
        if job.status != "running" or job.current_round != rnd:
            return  # ended (an upheld dispute already paid my update) or moved on: nothing left to dispute
        if self.chain.call("JobMarket.jobOf", job_id)["disputed"]:
            # one dispute is pending at a time; a rejection restarts the challenge window, so mine comes next
            raise NotReady("another dispute of the job is pending")
        try:
            blob = payloads.raw(self.storage, cid)
        except StorageError as exc:
            log.warning("job #%d round %d: my own update %s is unavailable (%s); cannot rebut", job_id, rnd, cid, exc)
            return
        spec = payloads.spec(self.storage, job.spec_cid)
        rc = self.round_context(job.context_cid, self.task_id(row))
        verdict = rc.run("datacap.validate_ciphertext", [rc.storage, rc.context_cid, cid, committed.hex(),
                                                         handler_for(spec).n_values(spec) or None],
                         f"{rc.task_id}:validate")
        valid = verdict["ok"] and verdict.get("n_parties") == 1
        if holds(reason, blob, committed, context_fingerprint(self.storage, job.context_cid), valid,
                 binding_for(self.chain, job_id, rnd, self.me)):
            log.info("job #%d round %d: my update was excluded as %s, which holds", job_id, rnd, reason.name)
            return
        log.error("job #%d round %d: my update was excluded as %s, which does not hold for the blob I published; "
                  "disputing", job_id, rnd, reason.name)
        ensure_allowance(self.chain, "JobMarket", self.chain.call("JobMarket.params")["disputeDeposit"])
        evidence = self.storage.add_bytes(canonical_json(
            {"job": job_id, "round": rnd, "excluded": p["index"], "claimed_reason": reason.name,
             "rebuttal": "the committed blob hashes to its commitment and validates under the job's context"}))
        try:
            self.chain.transact("JobMarket.raiseDispute", job_id, rnd, evidence)
        except ContractRevert as exc:
            if exc.error != "ChallengeWindowClosed":
                raise  # DisputePending (raised meanwhile): retried, as above
            log.warning("job #%d round %d: dispute not raised (%s)", job_id, rnd, exc.error)
            return
        self.disputes.append((job_id, rnd, reason.name))

    def do_claim(self, row: OutboxRow) -> None:
        job_id = row.payload["job"]
        p = self.chain.call("JobMarket.participantOf", job_id, self.me)
        if p["joined"] and not p["claimed"]:
            self.chain.transact("JobMarket.claimPayout", job_id)

    # -- masking: keys, shares, reveals --
    def _secrets(self, job_id: int, rounds: int) -> masking.OwnerSecrets:
        return masking.OwnerSecrets.load_or_create(self.chain.settings.data_dir / "secagg", self.chain.chain_id,
                                                   job_id, self.me, rounds)

    def _masked_job(self, job_id: int, phase: str):
        """(job, my participant record, setup) when ``phase`` applies to this job, else None. Every job's owners
        commit keys and shares, mask their updates and reveal, in every mode (JobMarket starts round 1 only once
        the members are sealed)."""
        if phase in self.skip or not masking.enabled(self.chain):
            return None
        job = job_info(self.chain, job_id)
        p = self.chain.call("JobMarket.participantOf", job_id, self.me)
        return (job, p, masking.setup_of(self.chain, job_id)) if p["joined"] else None

    def do_keys(self, row: OutboxRow) -> None:
        job_id = row.payload["job"]
        got = self._masked_job(job_id, "keys")
        if got is None:
            return
        job, p, setup = got
        if setup.keys_closed or job.current_round != 0 or setup.key_bits >> p["index"] & 1:
            return
        masking.commit_keys(self.chain, job_id, self._secrets(job_id, job.rounds))

    def do_shares(self, row: OutboxRow) -> None:
        job_id = row.payload["job"]
        got = self._masked_job(job_id, "shares")
        if got is None:
            return
        job, p, setup = got
        if setup.sealed or not setup.key_bits >> p["index"] & 1 or setup.share_bits >> p["index"] & 1:
            return
        if not setup.keys_closed:
            raise NotReady("the key phase is open")
        keys = masking.keys_of(self.chain, job_id)
        bundle, root = masking.make_bundle(job_id, keys[p["index"]], self._secrets(job_id, job.rounds), keys,
                                           setup.threshold)
        stored = bundle if self.tamper_bundle is None else self.tamper_bundle(bundle)
        cid = self.storage.add_bytes(stored)
        self.chain.transact(f"{masking.CONTRACT}.commitShares", job_id, blob_hash(bundle), cid, root)

    def _open_bundles(self, job_id: int, job, me: int, setup: masking.Setup) -> dict[int, masking.OpenedBundle]:
        opened = self._opened.setdefault(job_id, {})
        keys = masking.keys_of(self.chain, job_id)
        secrets = self._secrets(job_id, job.rounds)
        for d, commitment in masking.share_commitments(self.chain, job_id).items():
            if d in opened or not setup.members >> d & 1 or any(r[:2] == (job_id, d) for r in self.rejected_bundles):
                continue
            try:
                blob = self.storage.get(commitment[1])
                opened[d] = masking.open_bundle(job_id, blob, commitment, keys[d], keys[me], secrets.enc)
            except (masking.SecAggError, StorageError) as exc:
                log.warning("job #%d: REJECTING the share bundle of participant %d: %s", job_id, d, exc)
                self.rejected_bundles.append((job_id, d, str(exc)))
        return opened

    def do_reveal(self, row: OutboxRow) -> None:
        job_id, rnd = row.payload["job"], row.payload["round"]
        got = self._masked_job(job_id, "reveal")
        if got is None:
            return
        job, p, setup = got
        me = p["index"]
        if not setup.sealed or not setup.members >> me & 1:
            return
        if self.chain.call(f"{masking.CONTRACT}.revealedBitsOf", job_id, rnd) >> me & 1:
            return
        r = self.chain.call("JobMarket.roundOf", job_id, rnd)
        if r["aggregateHash"] == b"\x00" * 32 or now(self.chain) > r["challengeEnd"]:
            return
        entries = masking.reveal_entries(job_id, rnd, r["includedBits"], setup,
                                         self._open_bundles(job_id, job, me, setup), me)
        try:
            self.chain.transact(f"{masking.CONTRACT}.reveal", job_id, rnd, entries)
        except ContractRevert as exc:
            if exc.error not in ("BelowThreshold", "AlreadyRevealed", "RevealClosed"):
                raise
            log.error("job #%d round %d: not revealing: %s", job_id, rnd, exc)
