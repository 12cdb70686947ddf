"""One party's agents for one job, built from settings (what `datacap job run` runs)."""
from __future__ import annotations

from orchestrator.chain import Chain
from orchestrator.errors import InvalidInput
from orchestrator.training.agent import Agent, run_agents
from orchestrator.training.aggregator import AggregatorAgent
from orchestrator.training.commitments import job_info
from orchestrator.training.executor import Executor
from orchestrator.training.keys import KeyStore
from orchestrator.training.owner import DataOwnerAgent
from orchestrator.training.trainer import TrainerAgent

ROLES = ("trainer", "owner", "aggregator")


def roles_of(chain: Chain, job_id: int) -> list[str]:
    """The roles the signer plays in ``job_id``, read from the chain."""
    me = chain.address_of_signer()
    job = job_info(chain, job_id)
    out = []
    if job.trainer == me:
        out.append("trainer")
    p = chain.call("JobMarket.participantOf", job_id, me)
    if p["joined"]:
        out.append("owner")
    if job.aggregator == me or p["volunteered"]:
        out.append("aggregator")
    return out


def build_agents(chain: Chain, storage, job_id: int, roles: list[str], *, data_refs: dict[int, dict] | None = None,
                 test_ref: dict | None = None, fast_forward: bool = False) -> list[Agent]:
    s = chain.settings
    executor = Executor(s.effective_redis_url)
    base = s.data_dir / "agents" / chain.address_of_signer().lower()
    agents: list[Agent] = []
    for role in roles:
        if role == "trainer":
            if test_ref is None and _mode(chain, storage, job_id) != "stats":
                raise InvalidInput("the trainer needs its held-out data (--test PATH.csv --label COLUMN)")
            agents.append(TrainerAgent(chain, storage, executor, base / "trainer.db", keys=KeyStore(s.data_dir / "trainer-keys"),
                                       test_ref=test_ref, fast_forward=fast_forward, jobs={job_id}))
        elif role == "owner":
            if not data_refs:
                raise InvalidInput("a data owner needs its local data (--data DATA_ID=PATH.csv --label COLUMN)")
            agents.append(DataOwnerAgent(chain, storage, executor, base / "owner.db", data_refs=data_refs, jobs={job_id}))
        elif role == "aggregator":
            agents.append(AggregatorAgent(chain, storage, executor, base / "aggregator.db", jobs={job_id}))
        else:
            raise InvalidInput(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    return agents


def _mode(chain: Chain, storage, job_id: int) -> str:
    from orchestrator.training import payloads

    return payloads.spec(storage, job_info(chain, job_id).spec_cid).mode


def run_job(chain: Chain, agents: list[Agent], job_id: int, *, interval: float = 1.0, timeout: float = 7 * 86_400) -> str:
    """Step the agents until the job ended and this party has nothing pending; returns the final status."""
    me = chain.address_of_signer()

    def done() -> bool:
        job = job_info(chain, job_id)
        if job.status not in ("finalized", "settled", "cancelled"):
            return False
        p = chain.call("JobMarket.participantOf", job_id, me)
        return (not p["joined"] or p["claimed"]) and not any(a.pending() for a in agents)

    try:
        run_agents(agents, done, interval=interval, timeout=timeout)
    finally:
        for a in agents:
            a.close()
    return job_info(chain, job_id).status
