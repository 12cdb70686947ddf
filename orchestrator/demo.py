"""The end-to-end demo on one machine, every phase timed and its gas counted.

Services (Anvil, a bundled Redis, the local blockstore, one Celery worker) start in a fresh data dir on
free ports; contracts deploy; N data owners register non-IID shards ($Data, Merkle commitments) and
stake; a curator bundles them ($Portfolio); a trainer posts an encrypted FedAvg job; owners join, owner 1
volunteers as aggregator; per-party agents (chain events -> outbox -> Celery) run the rounds; the
$Model is minted and payouts claimed; two users pay for the model, one evaluates it, the other rates the
evaluation. Plaintext FedAvg (same split, seeds, rounds, epochs) and centralized training on the pooled
data are measured in the same run. Everything started is stopped at the end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from eth_account import Account

from orchestrator import deploy as deploy_lib
from orchestrator.actions import CAP, assets, ensure_allowance, market, stakes
from orchestrator.actions.jobs import JobTerms, approve_job, join_job
from orchestrator.chain import Chain
from orchestrator.config import Settings
from orchestrator.errors import InvalidInput, StorageError
from orchestrator.keystore import dev_key
from orchestrator.metadata import canonical_json
from orchestrator.services import embedded_services, free_port
from orchestrator.storage import open_storage
from orchestrator.training import datasets
from orchestrator.training.agent import run_agents
from orchestrator.training.aggregator import AggregatorAgent
from orchestrator.training.executor import Executor
from orchestrator.training.keys import KeyStore
from orchestrator.training.owner import DataOwnerAgent
from orchestrator.training.spec import JobSpec
from orchestrator.training.trainer import TrainerAgent, post_job
from orchestrator.training.workerproc import WorkerProcess


@dataclass
class DemoOptions:
    dataset: str | None = None  # None: scikit-learn digits
    label: str = "label"
    owners: int = 4
    rounds: int | None = None  # None: the mode's default (ROUNDS)
    epochs: int = 10
    lr: float | None = None  # None: the mode's default (LR)
    mode: str = "fedavg"
    #: stats: column names (None: every feature column) and shared histogram bin edges (None: no histogram)
    columns: list | None = None
    bins: list | None = None
    scheme: str = "ckks"
    seed: int = 0
    alpha: float = 0.5
    hidden: int = 32
    work_dir: Path | None = None
    keep: bool = False
    #: an external dev chain (Ganache, Hardhat, another Anvil) instead of an Anvil of its own, and the funded
    #: private keys to play with there (deployer, owners, curator, trainer, two users: owners + 5); None: dev keys
    rpc_url: str | None = None
    keys: tuple[str, ...] = ()
    #: tests: worker options and hooks
    visibility_timeout: int | None = None
    worker_includes: tuple[str, ...] = ()
    worker_env: dict = field(default_factory=dict)
    worker_pythonpath: tuple[str, ...] = ()
    on_worker: Callable[[WorkerProcess], None] | None = None
    hooks: "DemoHooks | None" = None


#: per-mode defaults: FedAvg rounds of local epochs; encrypted-model gradient steps (the degree-3 sigmoid
#: is accurate on about [-5, 5], so a few steps of 0.1 keep x.w in range); stats is one round
ROUNDS = {"fedavg": 5, "encrypted-model": 5, "stats": 1}
LR = {"fedavg": 0.05, "encrypted-model": 0.1, "stats": 0.0}
#: datasets used when --dataset is not given: digits (fedavg), scikit-learn breast_cancer (encrypted-model:
#: a binary task), wine (stats: raw, unstandardized columns)
DEFAULT_DATASET = {"fedavg": None, "encrypted-model": "breast_cancer", "stats": "wine"}


@dataclass
class DemoHooks:
    """Test scenarios: misbehaving parties, time travel, early stops, checks against the live services."""

    owner_kwargs: dict = field(default_factory=dict)  # owner index -> DataOwnerAgent kwargs (silent, tamper)
    aggregator_kwargs: dict | None = field(default_factory=dict)  # None: nobody aggregates
    before_agents: Callable | None = None  # (chains, job_id) after join + volunteer
    on_idle: Callable | None = None  # (chains, job_id) when a pass of the agents did nothing
    until: Callable | None = None  # (chains, job_id, agents) -> bool; replaces "finalized and all claimed"
    inspect: Callable | None = None  # (settings, chains, job_id, agents, report) before teardown


@dataclass
class Phase:
    name: str
    seconds: float
    gas: int


@dataclass
class DemoReport:
    dataset: str = ""
    owners: int = 0
    rounds: int = 0
    mode: str = "fedavg"
    scheme: str = "ckks"
    accuracy: dict = field(default_factory=dict)
    per_round: list = field(default_factory=list)
    job_id: int = 0
    model_token_id: int = 0
    model_owner: str = ""
    model_weights_sha256: str = ""
    payouts: list = field(default_factory=list)
    exclusions: list = field(default_factory=list)
    disputes: list = field(default_factory=list)
    owner_disputes: list = field(default_factory=list)
    penalties: list = field(default_factory=list)
    evaluation_id: int = 0
    #: stats mode: decrypted statistics, the same computed in numpy on the pooled data, their largest gap
    statistics: dict | None = None
    pooled: dict | None = None
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    gas_used: int = 0
    seconds: float = 0.0
    phases: list = field(default_factory=list)

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        if self.mode != "stats":
            for k in ("statistics", "pooled", "max_abs_error", "max_rel_error"):
                d.pop(k)
        return d


class _Meter:
    def __init__(self, chains: list[Chain]):
        self.chains = chains
        self.phases: list[Phase] = []

    def gas(self) -> int:
        return sum(r.gas_used for c in self.chains for r in c.gas_log)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        t, g = time.perf_counter(), self.gas()
        try:
            yield
        finally:
            self.phases.append(Phase(name, round(time.perf_counter() - t, 2), self.gas() - g))


def _check(opts: DemoOptions) -> None:
    if opts.owners < 2:
        raise InvalidInput("--owners must be at least 2")
    if opts.owners > 14:
        raise InvalidInput("--owners is at most 14 (Anvil's 20 dev accounts)")
    if opts.mode not in ROUNDS:
        raise InvalidInput(f"--mode must be one of {', '.join(ROUNDS)}, not {opts.mode!r}")
    if opts.rounds is None:
        opts.rounds = ROUNDS[opts.mode]
    if opts.lr is None:
        opts.lr = LR[opts.mode]
    if opts.rounds < 1:
        raise InvalidInput("--rounds must be at least 1")
    if opts.mode == "stats" and opts.rounds != 1:
        raise InvalidInput("--mode stats runs exactly one round (--rounds 1)")
    if opts.mode != "stats" and (opts.columns is not None or opts.bins is not None):
        raise InvalidInput("--columns and --bins go with --mode stats")
    if opts.bins is not None and (len(opts.bins) < 2 or list(opts.bins) != sorted(opts.bins)):
        raise InvalidInput("--bins needs at least two increasing edges")
    if opts.dataset is not None and not Path(opts.dataset).is_file():
        raise InvalidInput(f"no such CSV file: {opts.dataset}")
    if opts.keys and len(opts.keys) < opts.owners + 5:
        raise InvalidInput(f"{opts.owners} owners need {opts.owners + 5} keys (deployer, owners, curator, trainer, "
                           f"two users); {len(opts.keys)} given")
    if opts.dataset is not None:  # the whole CSV, before any service starts
        from workers.data import DataError, load_csv

        try:
            load_csv(opts.dataset, opts.label, standardize=False)
        except DataError as exc:
            raise InvalidInput(str(exc)) from None


def baselines(prep: datasets.PreparedData, spec: dict, opts: DemoOptions) -> dict:
    if opts.mode == "encrypted-model":
        return elr_baselines(prep, spec["positive"], opts)
    return fedavg_baselines(prep, spec, opts)


def _pooled_owner_data(prep: datasets.PreparedData):
    import numpy as np

    from workers import compute

    owners = [compute.load_data(compute.DataRef.from_dict(r)) for r in prep.owner_refs]
    return owners, np.concatenate([x for x, _ in owners]), np.concatenate([y for _, y in owners])


def elr_baselines(prep: datasets.PreparedData, positive: int, opts: DemoOptions) -> dict:
    """The encrypted-model task in plaintext: the same gradient steps with the same degree-3 sigmoid, summing the
    owners' gradients (plaintext_federated); the same model and steps on the pooled rows (centralized: full-batch
    gradient descent, so it equals the federated sum up to float rounding); and, for scale, a logistic regression
    with the exact sigmoid fit to convergence on the pooled rows (centralized_exact_sigmoid)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from workers import compute, encrypted_lr
    from orchestrator.training.modes import binary_labels, elr_evaluate

    owners, Xp, yp = _pooled_owner_data(prep)
    Xt, yt = compute.load_data(compute.DataRef.from_dict(prep.test_ref))
    yt = binary_labels(yt, positive)
    parts = [(encrypted_lr.add_bias(X), binary_labels(y, positive)) for X, y in owners]
    n = sum(len(y) for _, y in parts)
    w = np.zeros(Xp.shape[1] + 1)
    for _ in range(opts.rounds):
        g = sum(X.T @ (encrypted_lr.sigmoid_poly(X @ w) - y) for X, y in parts)
        w = w - opts.lr * g / n
    Xb, yb = encrypted_lr.add_bias(Xp), binary_labels(yp, positive)
    central = encrypted_lr.train_plain_poly(Xb, yb, opts.rounds, opts.lr)
    exact = LogisticRegression(max_iter=5000, fit_intercept=False).fit(Xb, yb).coef_.reshape(-1)
    return {"plaintext_federated": elr_evaluate(w, Xt, yt)["accuracy"],
            "centralized": elr_evaluate(central, Xt, yt)["accuracy"],
            "centralized_exact_sigmoid": elr_evaluate(exact, Xt, yt)["accuracy"]}


def stats_baseline(prep: datasets.PreparedData, columns: list[str], bins) -> dict:
    """The same statistics in numpy on the owners' pooled rows."""
    import numpy as np

    from orchestrator.training.modes import column_indices

    _, Xp, _ = _pooled_owner_data(prep)
    cols = Xp[:, column_indices(prep.owner_refs[0], columns)].astype(np.float64)
    out = {}
    for j, name in enumerate(columns):
        s = {"mean": float(cols[:, j].mean()), "var": float(cols[:, j].var()), "count": int(len(cols))}
        if bins is not None:
            s["hist"] = [int(v) for v in np.histogram(cols[:, j], bins=bins)[0]]
        out[name] = s
    return out


def fedavg_baselines(prep: datasets.PreparedData, spec: dict, opts: DemoOptions) -> dict:
    """Plaintext FedAvg on the same split/seeds/rounds/epochs and centralized training on the pooled data."""
    import numpy as np

    from workers import compute, training

    owners = [compute.load_data(compute.DataRef.from_dict(r)) for r in prep.owner_refs]
    Xt, yt = compute.load_data(compute.DataRef.from_dict(prep.test_ref))
    plain = training.fedavg_plain(spec, owners, opts.rounds, opts.epochs, opts.lr, 32, opts.seed)
    central = training.train_centralized(spec, np.concatenate([x for x, _ in owners]),
                                         np.concatenate([y for _, y in owners]), opts.rounds * opts.epochs,
                                         opts.lr, 32, opts.seed)
    return {"plaintext_federated": training.evaluate(spec, plain, Xt, yt)["accuracy"],
            "centralized": training.evaluate(spec, central, Xt, yt)["accuracy"]}


def run_demo(opts: DemoOptions, progress: Callable[[str], None] = lambda _m: None) -> DemoReport:
    _check(opts)
    started = time.perf_counter()
    root = Path(opts.work_dir) if opts.work_dir else Path(tempfile.mkdtemp(prefix="datacap-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    settings = Settings(rpc_url=opts.rpc_url or f"http://127.0.0.1:{free_port()}", data_dir=root / "data",
                        deployments_dir=root / "deployments", redis_port=free_port())
    n = opts.owners
    names = {"deployer": 0, **{f"owner{k + 1}": k + 1 for k in range(n)}, "curator": n + 1, "trainer": n + 2,
             "user1": n + 3, "user2": n + 4}
    report = DemoReport(owners=n, rounds=opts.rounds, mode=opts.mode, scheme=opts.scheme if opts.mode == "fedavg"
                        else "ckks")
    storage = open_storage("local", root=settings.store_path)
    chains: dict[str, Chain] = {}
    meter = _Meter(list(chains.values()))
    worker = None
    try:
        with contextlib.ExitStack() as stack:
            with meter.phase("services"):
                progress("starting Anvil, Redis and a Celery worker" if opts.rpc_url is None else
                         f"starting Redis and a Celery worker (chain at {opts.rpc_url})")
                stack.enter_context(embedded_services(settings, chain=opts.rpc_url is None, redis=True))
                stack.callback(lambda: worker is not None and worker.stop())
                worker = WorkerProcess(settings.effective_redis_url, settings.run_dir / "worker.log",
                                       visibility_timeout=opts.visibility_timeout, includes=opts.worker_includes,
                                       env=opts.worker_env, pythonpath=opts.worker_pythonpath)
                worker.start()
                if opts.on_worker:
                    opts.on_worker(worker)
                for who, idx in names.items():
                    chains[who] = Chain(settings, Account.from_key(opts.keys[idx] if opts.keys else dev_key(idx)))
                meter.chains[:] = list(chains.values())
            try:
                _play(opts, settings, storage, chains, meter, report, root, progress)
            finally:
                teardown = time.perf_counter()
                stack.close()
                meter.phases.append(Phase("teardown", round(time.perf_counter() - teardown, 2), 0))
    finally:
        if not opts.keep and not opts.work_dir:
            shutil.rmtree(root, ignore_errors=True)
    merged: dict[str, Phase] = {}
    for p in meter.phases:
        q = merged.setdefault(p.name, Phase(p.name, 0.0, 0))
        q.seconds = round(q.seconds + p.seconds, 2)
        q.gas += p.gas
    report.phases = [dataclasses.asdict(p) for p in merged.values()]
    report.gas_used = meter.gas()
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _play(opts, settings, storage, chains, meter, report, root, progress) -> None:
    n = opts.owners
    owners = [f"owner{k + 1}" for k in range(n)]
    with meter.phase("deploy"):
        progress("deploying the contracts")
        # a throw-away dev chain: the deployer keeps its roles (scenarios arbitrate disputes with them)
        deploy_lib.deploy_suite(chains["deployer"], faucet=True, keep_admin=True,
                                faucet_accounts=[c.signer.address for c in chains.values()])
        for c in chains.values():
            c.use_deployment(chains["deployer"].deployment)
    with meter.phase("data: register, portfolio, stakes"):
        progress("splitting the data among the owners")
        dataset, label = opts.dataset, opts.label
        if dataset is None and DEFAULT_DATASET[opts.mode] is not None:
            dataset, label = str(_sklearn_csv(DEFAULT_DATASET[opts.mode], root / "source")), "target"
        prep = datasets.prepare(root / "datasets", n, dataset=dataset, label=label, alpha=opts.alpha,
                                seed=opts.seed, standardize=opts.mode != "stats")
        report.dataset = prep.name
        ids = []
        for who, path in zip(owners, prep.owner_files):
            progress(f"{who} registers {path.name}")
            reg = assets.register_dataset(chains[who], storage, path, name=f"{prep.name} shard {who}",
                                          description=f"a non-IID shard of {prep.name}", price=CAP)
            ids.append(reg.token_id)
            stakes.deposit(chains[who], "data-owner", reg.token_id, 100 * CAP)
        portfolio_id, _, _ = assets.create_portfolio(chains["curator"], storage, ids, None,
                                                     name=f"{prep.name}, {n} owners")
        stakes.deposit(chains["curator"], "curator", 0, 50 * CAP)
        stakes.deposit(chains["trainer"], "trainer", 0, 50 * CAP)
    spec_model = {"kind": "mlp", "hidden": [opts.hidden], "features": prep.features, "classes": prep.classes}
    extra: dict = {}
    if opts.mode == "encrypted-model":
        spec_model = {"features": prep.features}
        extra["positive"] = _positive_class(prep)
    elif opts.mode == "stats":
        from orchestrator.training.modes import feature_names

        names = feature_names(prep.owner_refs[0])
        columns = list(opts.columns) if opts.columns else names
        missing = [c for c in columns if c not in names]
        if missing:
            raise InvalidInput(f"--columns {','.join(missing)}: not a column of {prep.name} ({', '.join(names)})")
        spec_model = {"features": len(columns)}
        extra.update(columns=columns, bins=list(map(float, opts.bins)) if opts.bins else None)
    executor = Executor(settings.effective_redis_url)
    agents_dir = settings.data_dir / "agents"
    with meter.phase("job: post, join, volunteer"):
        progress("the trainer posts the job")
        keys = KeyStore(settings.data_dir / "trainer-keys")
        spec = JobSpec(mode=opts.mode, scheme=opts.scheme, model=spec_model, epochs=opts.epochs, lr=opts.lr,
                       seed=opts.seed, **extra)
        job_id = post_job(chains["trainer"], storage, keys, portfolio_id, spec,
                          JobTerms(portfolio_id, 1000 * CAP, opts.rounds, n, 3600, 600, 500), max_parties=max(8, n))
        report.job_id = job_id
        approve_job(chains["curator"], job_id)
        for who, data_id in zip(owners, ids):
            join_job(chains[who], job_id, data_id)
        agg = chains[owners[0]]
        ensure_allowance(agg, "JobMarket", agg.call("JobMarket.params")["aggregatorBond"])
        agg.transact("JobMarket.volunteer", job_id)
    hooks = opts.hooks or DemoHooks()
    if hooks.before_agents:
        hooks.before_agents(chains, job_id)
    trainer = TrainerAgent(chains["trainer"], storage, executor, agents_dir / "trainer.db", keys=keys,
                           test_ref=prep.test_ref, fast_forward=True, jobs={job_id})
    parties = [trainer]
    for who, ref, data_id in zip(owners, prep.owner_refs, ids):
        parties.append(DataOwnerAgent(chains[who], storage, executor, agents_dir / f"{who}.db",
                                      data_refs={data_id: ref}, jobs={job_id},
                                      **hooks.owner_kwargs.get(owners.index(who), {})))
    aggregator = None
    if hooks.aggregator_kwargs is not None:
        aggregator = AggregatorAgent(agg, storage, executor, agents_dir / "aggregator.db", jobs={job_id},
                                     **hooks.aggregator_kwargs)
        parties.append(aggregator)
    viewer = chains["deployer"]

    def finished() -> bool:
        if hooks.until is not None:
            return hooks.until(chains, job_id, parties)
        j = viewer.call("JobMarket.jobOf", job_id)
        return j["status"] in (4, 5, 6) and j["claimants"] == j["participantCount"]

    with meter.phase(f"training: {opts.rounds} rounds + payouts"):
        progress(f"{opts.rounds} encrypted rounds")
        try:
            run_agents(parties, finished, timeout=1800,
                       on_idle=(lambda: hooks.on_idle(chains, job_id)) if hooks.on_idle else None)
        finally:
            for a in parties:
                a.close()
            executor.close()
    report.exclusions = [dataclasses.asdict(e) for e in (aggregator.exclusions if aggregator else [])]
    report.disputes = [list(d) for d in trainer.disputes]
    report.owner_disputes = [[who, *d] for who, a in zip(owners, parties[1:]) for d in a.disputes]
    report.penalties = [{"participant": e.args["participant"], "amount": e.args["amount"]}
                        for e in viewer.events("JobMarket", "BondPenalized", jobId=job_id)]
    for who in owners:
        ev = chains[who].events("JobMarket", "PayoutClaimed", jobId=job_id, participant=chains[who].signer.address)
        report.payouts.append({"owner": who, "share": ev[0].args["share"] if ev else 0,
                               "compensation": ev[0].args["compensation"] if ev else 0,
                               "bond_returned": ev[0].args["bondReturned"] if ev else 0})
    write_audit(root / AUDIT_FILE, viewer, storage, job_id,
                {"trainer_keys": str(Path(keys.dir).relative_to(root)), "store": str(settings.store_path.relative_to(root))})
    if hooks.inspect:
        hooks.inspect(settings, chains, job_id, parties, report)
    report.per_round = [dataclasses.asdict(r) for r in trainer.history]
    report.model_token_id = trainer.models.get(job_id, 0)
    if not report.model_token_id:
        return
    report.model_owner = viewer.call("ModelNFT.ownerOf", report.model_token_id)
    report.model_weights_sha256 = trainer.history[-1].weights_sha256 if trainer.history else ""
    report.accuracy["encrypted_federated"] = trainer.history[-1].accuracy if trainer.history else None
    if opts.mode == "stats":
        report.statistics = trainer.results.get(job_id, {}).get("statistics")
        report.pooled = stats_baseline(prep, extra["columns"], extra["bins"])
        report.accuracy.update(plaintext_federated=None, centralized=None)
        if report.statistics:
            gaps = [(abs(report.statistics[c][k] - p[k]), abs(p[k]))
                    for c, p in report.pooled.items() for k in ("mean", "var", "count")]
            report.max_abs_error = max(g for g, _ in gaps)
            report.max_rel_error = max(g / max(ref, 1e-12) for g, ref in gaps)
    with meter.phase("market: use, evaluate, rate"):
        progress("users pay for the model, evaluate and rate")
        mid = report.model_token_id
        market.set_price(chains["trainer"], mid, 10 * CAP)
        market.use_model(chains["user1"], mid)
        example = storage.add_bytes(canonical_json({"input": "held-out test set", "accuracy":
                                                    report.accuracy["encrypted_federated"]}))
        report.evaluation_id, _ = market.post_evaluation(chains["user1"], mid, example, 5)
        market.use_model(chains["user2"], mid)
        market.rate_evaluation(chains["user2"], report.evaluation_id, True)
    if opts.mode == "stats":
        return
    with meter.phase("baselines: plaintext FedAvg, centralized"):
        progress("plaintext references")
        report.accuracy.update(baselines(prep, {**spec_model, **extra}, opts))


#: in the work dir: what an auditor needs besides the store once the demo's chain is gone
AUDIT_FILE = "audit.json"


def write_audit(path: Path, chain: Chain, storage, job_id: int, layout: dict) -> None:
    """The job's public record, from the chain: context, per round every update (participant, index, CID, hash,
    samples), the aggregate, the included bits and the unmasked aggregate (recomputed from the on-chain reveals
    with :func:`masking.unmask_aggregate`, as anyone can), and the masking setup. With the store and the trainer's
    key file, an auditor playing the trainer decrypts every update offline (docs/privacy.md)."""
    from orchestrator.training import masking
    from workers import he

    created = chain.events("JobMarket", "JobCreated", jobId=job_id)[0].args
    public = storage.get(created["heContextCid"])
    index = {}
    rounds = []
    for rnd in range(1, chain.call("JobMarket.jobOf", job_id)["currentRound"] + 1):
        updates = []
        for e in chain.events("JobMarket", "UpdateSubmitted", jobId=job_id, round=rnd):
            who = e.args["participant"]
            i = index.setdefault(who, chain.call("JobMarket.participantOf", job_id, who)["index"])
            updates.append({"participant": who, "index": i, "cid": e.args["cid"], "sha256": e.args["hash"].hex(),
                            "samples": e.args["samples"]})
        aggs = chain.events("JobMarket", "AggregateSubmitted", jobId=job_id, round=rnd)
        entry = {"round": rnd, "updates": updates, "aggregate": None}
        if aggs:
            agg = aggs[-1].args
            entry["aggregate"] = {"cid": agg["cid"], "sha256": agg["hash"].hex(), "included_bits": agg["includedBits"]}
            try:
                clear = masking.unmask_aggregate(chain, public, storage.get(agg["cid"]), job_id, rnd,
                                                 agg["includedBits"])
                entry["aggregate"]["unmasked_cid"] = storage.add_bytes(clear)
            except (masking.SharesMissing, he.HEError, StorageError) as exc:  # e.g. a tampered aggregate
                entry["aggregate"]["unmasked_cid"] = None
                entry["aggregate"]["unmask_error"] = str(exc)
        rounds.append(entry)
    setup = masking.setup_of(chain, job_id)
    keys = masking.keys_of(chain, job_id)
    doc = {"chain_id": chain.chain_id, "job": job_id, "trainer": created["trainer"],
           "context_cid": created["heContextCid"], **layout,
           "secure_aggregation": {"threshold": setup.threshold, "members": masking.bits(setup.members),
                                  "keys": [{"index": k.index, "owner": k.owner, "mask_pubs": [m.hex() for m in k.mask_pubs],
                                            "seed_commits": [c.hex() for c in k.seed_commits]}
                                           for k in keys.values()]},
           "rounds": rounds}
    path.write_bytes(canonical_json(doc))


def _sklearn_csv(name: str, directory: Path) -> Path:
    """A bundled scikit-learn dataset as a CSV with a ``target`` column."""
    import csv

    from sklearn import datasets as skd

    b = getattr(skd, f"load_{name}")()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow([c.replace(" ", "_") for c in b.feature_names] + ["target"])
        for x, y in zip(b.data, b.target):
            w.writerow([*map(float, x), int(y)])
    return path


def _positive_class(prep: datasets.PreparedData) -> int:
    """encrypted-model's binary task: class index 1 for two classes (the usual positive label), otherwise the
    most frequent class among the owners' rows (ties: the smallest index) against the rest."""
    import numpy as np

    if prep.classes == 2:
        return 1
    _, _, y = _pooled_owner_data(prep)
    return int(np.bincount(y.astype(np.int64)).argmax())
