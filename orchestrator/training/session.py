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
                 test_ref: dict | None = None, fast_forward: bool = False, strict: bool = False) -> list[Agent]:
    """The agents of ``roles``; ``strict`` ones stop on the first permanent failure (PermanentError)."""
    s = chain.settings
    executor = Executor(s.effective_redis_url, late_after=s.late_task_seconds)
    base = chain.state_dir() / "agents" / chain.address_of_signer().lower()
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
    for a in agents:
        a.outbox.strict = strict
    return agents


def check_local_data(chain: Chain, storage, job_id: int, data_refs: dict[int, dict]) -> None:
    """Before joining or training: each file must be the committed dataset of its $Data (same commitment as
    on chain, recomputed by the project's commitment function) and fit the job's model spec (feature count,
    label column, stats columns). Raises InvalidInput with one line."""
    import csv

    from orchestrator.actions.assets import commit_dataset
    from orchestrator.training import payloads

    spec = payloads.spec(storage, job_info(chain, job_id).spec_cid)
    for data_id, ref in data_refs.items():
        path = ref["path"]
        on_chain = "0x" + bytes(chain.call("DataNFT.commitmentOf", data_id)).hex()
        local = commit_dataset(path).root
        if local != on_chain:
            raise InvalidInput(f"{path} is not $Data #{data_id}: its commitment is {local}, the chain has {on_chain}")
        with open(path, newline="") as f:
            header = next(csv.reader(f), [])
        if spec.mode == "stats" and spec.columns:
            missing = [c for c in spec.columns if c not in header]
            if missing:
                raise InvalidInput(f"{path} lacks the job's stats columns {', '.join(missing)}")
            continue
        label = ref.get("label", "label")
        if spec.mode != "stats" and label not in header:
            raise InvalidInput(f"{path} has no label column {label!r} (columns: {', '.join(header)})")
        features = len(header) - (label in header)
        want = spec.model.get("features")
        if want is not None and features != want:
            raise InvalidInput(f"{path} has {features} feature columns, job #{job_id}'s model takes {want}")


def timeout_if_due(chain: Chain, job_id: int):
    """Call JobMarket.timeout when one of its deadlines has passed (simulated first); the TxResult or None."""
    from orchestrator.actions import jobs
    from orchestrator.errors import ContractRevert

    try:
        chain.estimate("JobMarket.timeout", job_id)
    except ContractRevert:
        return None  # NotTimedOut, or ended already
    return jobs.timeout_job(chain, job_id)


def progress_line(chain: Chain, job_id: int) -> str:
    """Where the job stands: status, round and phase, one line."""
    from datetime import datetime, timezone

    job = job_info(chain, job_id)
    if job.status != "running":
        return f"job #{job_id}: {job.status} ({job.participants} participant(s))"
    r = chain.call("JobMarket.roundOf", job_id, job.current_round)
    if bytes(r["aggregateHash"]) == bytes(32):
        done = bin(r["submittedBits"]).count("1")
        due = datetime.fromtimestamp(r["updateDeadline"], timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        phase = f"training: {done}/{job.participants} update(s) in, due {due}"
    else:
        end = datetime.fromtimestamp(r["challengeEnd"], timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        phase = f"aggregated, challenge window until {end}"
    return f"job #{job_id}: round {job.current_round}/{job.rounds} {phase}"


def _mode(chain: Chain, storage, job_id: int) -> str:
    from orchestrator.training import payloads

    return payloads.spec(storage, job_info(chain, job_id).spec_cid).mode


def run_job(chain: Chain, agents: list[Agent], job_id: int, *, interval: float = 1.0, timeout: float = 7 * 86_400,
            progress=None) -> str:
    """Step the agents until the job ended and this party has nothing pending; returns the final status.

    ``progress(line)`` hears each change of round or phase, and each timeout this party calls (any party
    ends a stalled job when one of its deadlines passed)."""
    me = chain.address_of_signer()
    last = [""]

    def done() -> bool:
        if progress is not None:
            line = progress_line(chain, job_id)
            if line != last[0]:
                progress(line)
                last[0] = line
        job = job_info(chain, job_id)
        if job.status in ("created", "open", "running") and timeout_if_due(chain, job_id) is not None:
            if progress is not None:
                progress(f"job #{job_id}: a deadline passed; called JobMarket.timeout")
            job = job_info(chain, job_id)
        if job.status not in ("finalized", "settled", "cancelled"):
            return False
        p = chain.call("JobMarket.participantOf", job_id, me)
        return (not p["joined"] or p["claimed"]) and not any(a.pending() for a in agents)

    try:
        run_agents(agents, done, interval=interval, timeout=timeout,
                   unreachable_for=chain.settings.chain_unreachable_seconds)
    finally:
        for a in agents:
            a.close()
    return job_info(chain, job_id).status
