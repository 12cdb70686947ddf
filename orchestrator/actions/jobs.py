"""Trainers and data owners: post a training job, join it, follow it, cancel it (JobMarket)."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.actions import ensure_allowance
from orchestrator.chain import Chain, TxResult
from orchestrator.errors import DeploymentError, NotFound
from orchestrator.protocol import min_aggregate, status_name


def _require(chain: Chain) -> None:
    if "JobMarket" not in chain.deployment.contracts:
        raise DeploymentError(f"JobMarket is not deployed on chain {chain.chain_id} (merge econ, `datacap deploy --force`)")


@dataclass(frozen=True)
class JobTerms:
    portfolio_id: int
    budget: int
    rounds: int = 1
    min_participants: int | None = None  # None: JobMarket.MIN_AGGREGATE (no aggregate of one owner's update)
    join_window: int = 86_400
    round_duration: int = 86_400
    aggregator_fee_bps: int = 500
    model_spec_cid: str = "-"
    he_context_cid: str = "-"


def create_job(chain: Chain, terms: JobTerms) -> tuple[int, TxResult]:
    _require(chain)
    ensure_allowance(chain, "JobMarket", terms.budget)
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    tx = chain.transact("JobMarket.createJob", terms.portfolio_id, terms.model_spec_cid, terms.he_context_cid,
                        terms.rounds, terms.min_participants or min_aggregate(chain), now + terms.join_window,
                        terms.round_duration,
                        terms.budget, terms.aggregator_fee_bps)
    ev = next(e for e in tx.events if e.contract == "JobMarket" and "jobId" in e.args)
    return ev.args["jobId"], tx


def approve_job(chain: Chain, job_id: int) -> TxResult:
    """The portfolio's curator approves a job on it (a curator posting on its own portfolio need not)."""
    _require(chain)
    return chain.transact("JobMarket.approveJob", job_id)


def join_job(chain: Chain, job_id: int, data_id: int) -> TxResult:
    _require(chain)
    bond = chain.call("JobMarket.params").get("participantBond", 0)
    ensure_allowance(chain, "JobMarket", bond)
    return chain.transact("JobMarket.join", job_id, data_id)


def job_status(chain: Chain, job_id: int) -> dict:
    _require(chain)
    count = chain.call("JobMarket.jobCount")
    if not 1 <= job_id <= count:
        raise NotFound(f"no job #{job_id} (JobMarket has {count} job(s))")
    job = dict(chain.call("JobMarket.jobOf", job_id))
    job["status"] = status_name(job["status"])
    return {"job_id": job_id, **job}


def cancel_job(chain: Chain, job_id: int) -> TxResult:
    _require(chain)
    return chain.transact("JobMarket.cancel", job_id)


def volunteer(chain: Chain, job_id: int) -> TxResult:
    """A participant volunteers to aggregate ``job_id`` (posts the aggregator bond)."""
    _require(chain)
    ensure_allowance(chain, "JobMarket", chain.call("JobMarket.params")["aggregatorBond"])
    return chain.transact("JobMarket.volunteer", job_id)


def select_aggregator(chain: Chain, job_id: int, participant: str) -> TxResult:
    """The trainer picks ``participant``, a volunteer, as the aggregator (opens the job when it is full)."""
    _require(chain)
    return chain.transact("JobMarket.selectAggregator", job_id, participant)


def timeout_job(chain: Chain, job_id: int) -> TxResult:
    """End a job one of whose deadlines passed (anyone may): cancelled or settled, bonds per the rules."""
    _require(chain)
    return chain.transact("JobMarket.timeout", job_id)
