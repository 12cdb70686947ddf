"""What the chain holds for a job and its rounds: CIDs, update and aggregate commitments."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from orchestrator.chain import Chain
from orchestrator.errors import NotFound
from orchestrator.protocol import min_aggregate, status_name


def blob_hash(blob: bytes) -> bytes:
    """The bytes32 committed on chain for an update or aggregate: SHA-256 of the blob."""
    return hashlib.sha256(blob).digest()


def bits(mask: int) -> list[int]:
    return [i for i in range(256) if mask >> i & 1]


@dataclass(frozen=True)
class JobInfo:
    job_id: int
    trainer: str
    aggregator: str
    portfolio_id: int
    rounds: int
    current_round: int
    participants: int
    status: str
    model_id: int
    spec_cid: str
    context_cid: str


@dataclass(frozen=True)
class UpdateCommitment:
    index: int
    participant: str
    hash: bytes
    cid: str
    samples: int


@dataclass(frozen=True)
class RoundState:
    job_id: int
    round: int
    update_deadline: int
    challenge_end: int
    submitted_bits: int
    included_bits: int
    #: ``JobMarket.MIN_AGGREGATE``: the trainer never decrypts an aggregate of fewer (one owner's update alone)
    min_included: int
    aggregate_hash: bytes
    aggregate_cid: str
    global_model_cid: str
    updates: tuple[UpdateCommitment, ...]

    @property
    def aggregated(self) -> bool:
        return self.aggregate_hash != b"\x00" * 32

    def included(self) -> list[UpdateCommitment]:
        return [u for u in self.updates if self.included_bits >> u.index & 1]

    @property
    def n_included(self) -> int:
        """How many updates the on-chain ``includedBits`` names (what the aggregate sums)."""
        return bin(self.included_bits).count("1")


class TooFewIncluded(Exception):
    """An aggregate includes fewer than ``MIN_AGGREGATE`` updates: it must not be decrypted."""


def require_min_included(rs: RoundState) -> None:
    """Raise :class:`TooFewIncluded` unless round ``rs``'s on-chain ``includedBits`` names at least
    ``rs.min_included`` updates (checked before any decryption of the aggregate)."""
    if rs.n_included < rs.min_included:
        raise TooFewIncluded(f"job #{rs.job_id} round {rs.round}: the aggregate includes {rs.n_included} update(s); "
                             f"at least {rs.min_included} are needed before it may be decrypted")


def _cids(chain: Chain, job_id: int) -> tuple[str, str]:
    """(spec CID, public context CID) from JobCreated, cached on this chain client (they never change)."""
    cache = chain.__dict__.setdefault("_job_cids", {})
    if job_id not in cache:
        evs = chain.events("JobMarket", "JobCreated", jobId=job_id)
        if not evs:
            raise NotFound(f"no JobCreated event for job #{job_id}")
        cache[job_id] = (evs[0].args["modelSpecCid"], evs[0].args["heContextCid"])
    return cache[job_id]


def job_info(chain: Chain, job_id: int) -> JobInfo:
    j = chain.call("JobMarket.jobOf", job_id)
    if j["status"] == 0:
        raise NotFound(f"no job #{job_id} (JobMarket has {chain.call('JobMarket.jobCount')} job(s))")
    spec_cid, ctx_cid = _cids(chain, job_id)
    return JobInfo(job_id, j["trainer"], j["aggregator"], j["portfolioId"], j["rounds"], j["currentRound"],
                   j["participantCount"], status_name(j["status"]), j["modelId"], spec_cid, ctx_cid)


def round_state(chain: Chain, job_id: int, round_: int) -> RoundState:
    r = chain.call("JobMarket.roundOf", job_id, round_)
    started = chain.events("JobMarket", "RoundStarted", jobId=job_id, round=round_)
    if not started:
        raise NotFound(f"job #{job_id} has no round {round_}")
    agg = chain.events("JobMarket", "AggregateSubmitted", jobId=job_id, round=round_)
    updates = []
    for ev in chain.events("JobMarket", "UpdateSubmitted", jobId=job_id, round=round_):
        who = ev.args["participant"]
        idx = chain.call("JobMarket.participantOf", job_id, who)["index"]
        updates.append(UpdateCommitment(idx, who, bytes(ev.args["hash"]), ev.args["cid"], ev.args["samples"]))
    updates.sort(key=lambda u: u.index)
    return RoundState(job_id, round_, r["updateDeadline"], r["challengeEnd"], r["submittedBits"], r["includedBits"],
                      min_aggregate(chain),
                      bytes(r["aggregateHash"]), agg[-1].args["cid"] if agg else "",
                      started[-1].args["globalModelCid"], tuple(updates))


def now(chain: Chain) -> int:
    return int(chain.w3.eth.get_block("latest")["timestamp"])
