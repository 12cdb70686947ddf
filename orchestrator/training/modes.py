"""Per-mode strategy objects: what a round's inputs, updates, aggregates and trainer steps are.

The agents (owner, aggregator, trainer) run the same on-chain lifecycle for every mode and delegate
the mode-specific work to a :class:`ModeHandler` chosen from the job spec's ``mode``:

``fedavg``           owners train the plaintext global model locally and encrypt their weighted update;
                     the trainer decrypts the weighted mean update and adds it.
``encrypted-model``  binary logistic regression; the round's global model is the trainer's CKKS-encrypted
                     weights; owners return encrypted gradient sums (scaled by 1/weight_cap) computed on
                     their plaintext rows with a degree-3 sigmoid; the trainer decrypts only the sum, steps
                     and re-encrypts. The final plaintext weights (float64, features then bias) are minted.
``stats``            one round; owners return encrypted [count, sums, sums of squares, histograms] of the
                     chosen columns; the trainer decrypts the sum into mean/variance; the statistics JSON
                     is the $Model's weights CID.

A handler gets a :class:`RoundContext` (its party's store and workers, the job's public context CID, the
task id; for the trainer also its key store and held-out data), never the agent. Workers are given CIDs
and storage settings and write their outputs themselves; the trainer decrypts in its own process, where
its 0600 key file is: no secret context ever reaches a worker, the broker or the store. In every mode the
owners mask their updates before publishing them and the trainer unmasks only the aggregate
(:mod:`orchestrator.training.masking`), so the handlers see neither.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from orchestrator.errors import InvalidInput
from orchestrator.metadata import canonical_json
from orchestrator.training import payloads
from orchestrator.training.commitments import require_min_included
from orchestrator.training.spec import JobSpec

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class RoundContext:
    """What a mode handler may use for one round (Flower's strategy gets its inputs, not its owner)."""

    store: Any  # this party's storage (the trainer reads the aggregate and publishes the next model)
    run: Callable[[str, list, str], dict]  # this party's workers: run(task name, args, task id)
    context_cid: str
    task_id: str
    keys: Any = None  # trainer only: the KeyStore holding the secret context
    test_ref: dict | None = None  # trainer only: its held-out data
    #: owner only: a local store of its own that is never published; its worker leaves its update there,
    #: unmasked, and only the masked blob goes to ``store`` (an unmasked ciphertext in a shared or announced
    #: store would be readable by the trainer)
    scratch: Any = None

    @property
    def storage(self) -> dict:
        """The store as task arguments: workers open it themselves."""
        return self.store.settings()

    def private_storage(self, *cids: str) -> dict:
        """The scratch store as task arguments, holding the public inputs ``cids`` (copied once)."""
        for cid in cids:
            if not self.scratch.has(cid):
                self.scratch.add_bytes(self.store.get(cid))
        return self.scratch.settings()

    def public_context(self) -> bytes:
        return payloads.raw(self.store, self.context_cid)

    def secret_context(self) -> bytes:
        """The secret context, read from the trainer's key file in this process (never sent anywhere)."""
        return self.keys.secret_for(self.public_context())


@dataclass(frozen=True)
class Update:
    """An owner's update as its worker stored it, unmasked, in the owner's scratch store (``rc.scratch``)."""

    cid: str
    n_samples: int


def f64_of(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f8").copy()


@dataclass
class Step:
    """What the trainer got from a round: the bytes stored as the round's result (final weights when the
    job ends), the next round's global model (None: the result itself), metrics for the lineage."""

    weights: bytes
    accuracy: float | None
    loss: float | None
    next_global: bytes | None = None
    metrics: dict = field(default_factory=dict)
    result: dict | None = None


class ModeHandler:
    mode = ""
    framework = "numpy"
    meta_mode = ""

    def publish(self, storage, keys, spec: JobSpec, max_parties: int) -> tuple[JobSpec, bytes]:
        """Trainer, at job creation: generate keys (secret stays in ``keys``), publish the first global
        model; returns the completed spec and the public context."""
        raise NotImplementedError

    def n_values(self, spec: JobSpec) -> int:
        return spec.n_values

    def owner_update(self, rc: RoundContext, spec: JobSpec, rnd: int, index: int, global_model_cid: str,
                     ref: dict) -> Update:
        raise NotImplementedError

    def aggregate(self, rc: RoundContext, spec: JobSpec, updates: list) -> dict:
        """Sum the committed ``updates`` (in order) on a worker: ``{cid, sha256}``."""
        return rc.run("datacap.aggregate", [rc.storage, rc.context_cid, [u.cid for u in updates],
                                            [u.hash.hex() for u in updates], self.n_values(spec) or None], rc.task_id)

    def trainer_step(self, rc: RoundContext, job, spec: JobSpec, rs) -> Step:
        """Decrypt round ``rs``'s aggregate (each mode first calls :func:`require_min_included`)."""
        raise NotImplementedError

    def description(self, spec: JobSpec) -> str:
        return self.mode


class FedAvgHandler(ModeHandler):
    mode = "fedavg"
    framework = "torch"
    meta_mode = "encrypted-fedavg"

    def publish(self, storage, keys, spec, max_parties):
        from workers import training

        n_values = training.n_params(spec.model)
        public = keys.generate("fedavg", scheme=spec.scheme, n_params=n_values, clip=spec.clip,
                               max_parties=max(max_parties, 2))
        init = training.init_weights(spec.model, spec.seed).astype("<f4").tobytes()
        return dataclasses.replace(spec, init_weights_cid=storage.add_bytes(init), n_values=n_values), public

    def owner_update(self, rc, spec, rnd, index, global_model_cid, ref):
        request = {"spec": spec.model, "global_cid": global_model_cid, "epochs": spec.epochs, "lr": spec.lr,
                   "batch": spec.batch, "seed": spec.round_seed(rnd, index), "weight_cap": spec.weight_cap}
        out = rc.run("datacap.train_encrypt", [rc.private_storage(rc.context_cid, global_model_cid), rc.context_cid,
                                               request, ref], rc.task_id)
        return Update(out["cid"], out["n_samples"])

    def trainer_step(self, rc, job, spec, rs):
        require_min_included(rs)  # never decrypt a sum of fewer than 2 updates
        from workers import compute

        g = np.frombuffer(payloads.raw(rc.store, rs.global_model_cid), dtype="<f4")
        new = compute.apply_aggregate(rc.secret_context(), payloads.raw(rc.store, rs.aggregate_cid), g)
        weights = new.astype("<f4").tobytes()
        m = rc.run("datacap.evaluate", [rc.storage, spec.model, rc.store.add_bytes(weights), rc.test_ref],
                   f"{rc.task_id}:eval")
        return Step(weights, m["accuracy"], m["loss"], metrics={"accuracy": m["accuracy"], "loss": m["loss"]})

    def description(self, spec):
        return f"{spec.model.get('kind', 'model')} trained by encrypted FedAvg ({spec.scheme})"


def binary_labels(y: np.ndarray, positive: int) -> np.ndarray:
    return (np.asarray(y) == positive).astype(np.float64)


def elr_evaluate(w: np.ndarray, X: np.ndarray, y01: np.ndarray) -> dict:
    from workers import encrypted_lr

    Xb = encrypted_lr.add_bias(X)
    z = Xb @ w
    p = np.clip(1.0 / (1.0 + np.exp(-z)), 1e-7, 1 - 1e-7)
    loss = float(-np.mean(y01 * np.log(p) + (1 - y01) * np.log(1 - p)))
    return {"accuracy": float((encrypted_lr.predict(w, Xb) == y01).mean()), "loss": loss}


class EncryptedModelHandler(ModeHandler):
    """Binary logistic regression with the model encrypted (``spec.positive`` is the class index of label 1)."""

    mode = "encrypted-model"
    meta_mode = "encrypted-model"

    @staticmethod
    def _weights_dir(keys) -> Path:
        return Path(keys.dir) / "elr-weights"

    def remember(self, keys, enc_blob: bytes, w: np.ndarray) -> None:
        """The trainer keeps the plaintext of each published encrypted model, by the blob's hash."""
        d = self._weights_dir(keys)
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{hashlib.sha256(enc_blob).hexdigest()}.f64").write_bytes(np.asarray(w, dtype="<f8").tobytes())

    def recall(self, keys, public: bytes, enc_blob: bytes, n: int) -> np.ndarray:
        path = self._weights_dir(keys) / f"{hashlib.sha256(enc_blob).hexdigest()}.f64"
        if path.is_file():
            return f64_of(path.read_bytes())
        from workers import he  # lost local copy: the trainer can always decrypt its own model

        return he.decrypt_values(keys.secret_for(public), enc_blob, n)

    def publish(self, storage, keys, spec, max_parties):
        from workers import encrypted_lr

        d = int(spec.model.get("features", 0))
        if d < 1:
            raise InvalidInput("encrypted-model needs the number of features (--features)")
        public = keys.generate("encrypted-model")
        w0 = np.zeros(d + 1)
        blob = encrypted_lr.encrypt_weights(public, w0)
        self.remember(keys, blob, w0)
        return dataclasses.replace(spec, init_weights_cid=storage.add_bytes(blob), n_values=d + 1), public

    def owner_update(self, rc, spec, rnd, index, global_model_cid, ref):
        out = rc.run("datacap.elr.gradient", [rc.private_storage(rc.context_cid, global_model_cid), rc.context_cid,
                                              global_model_cid, ref,
                                              1.0 / max(spec.weight_cap, 1), spec.positive], rc.task_id)
        return Update(out["cid"], out["n_samples"])

    def trainer_step(self, rc, job, spec, rs):
        require_min_included(rs)  # never decrypt a sum of fewer than 2 updates
        from workers import compute, encrypted_lr

        public = rc.public_context()
        w = self.recall(rc.keys, public, payloads.raw(rc.store, rs.global_model_cid), spec.n_values)
        n_total = sum(u.samples for u in rs.included())
        w_new = encrypted_lr.gradient_step(rc.secret_context(), payloads.raw(rc.store, rs.aggregate_cid), w, n_total,
                                           spec.lr, scale=1.0 / max(spec.weight_cap, 1))
        X, y = compute.load_data(compute.DataRef.from_dict(rc.test_ref))
        m = elr_evaluate(w_new, X, binary_labels(y, spec.positive))
        nxt = None
        if rs.round < job.rounds:  # the trainer encrypts its own model (its plaintext never leaves)
            nxt = encrypted_lr.encrypt_weights(public, w_new)
            self.remember(rc.keys, nxt, w_new)
        return Step(np.asarray(w_new, dtype="<f8").tobytes(), m["accuracy"], m["loss"], next_global=nxt,
                    metrics=dict(m))

    def description(self, spec):
        return (f"binary logistic regression (class index {spec.positive} vs rest) trained with the model "
                "CKKS-encrypted; weights: little-endian float64, features then bias")


def feature_names(ref: dict) -> list[str]:
    """The feature column names of an owner's data (CSV header minus the label; digits: px0..px63)."""
    if ref.get("kind") == "digits":
        return [f"px{i}" for i in range(64)]
    with open(ref["path"], newline="") as fh:
        header = [h.strip() for h in next(csv.reader(fh))]
    return [h for h in header if h != ref.get("label")]


def column_indices(ref: dict, columns: list | None) -> list[int]:
    names = feature_names(ref)
    if columns is None:
        return list(range(len(names)))
    missing = [c for c in columns if c not in names]
    if missing:
        raise InvalidInput(f"columns {missing} not in {ref.get('path', ref.get('kind'))}")
    return [names.index(c) for c in columns]


class StatsHandler(ModeHandler):
    """Joint statistics of ``spec.columns`` (names; None: every feature column, ``model.features`` of them)."""

    mode = "stats"
    meta_mode = "joint-statistics"

    def n_cols(self, spec) -> int:
        return len(spec.columns) if spec.columns is not None else int(spec.model.get("features", 0))

    def publish(self, storage, keys, spec, max_parties):
        from workers import stats

        if self.n_cols(spec) < 1:
            raise InvalidInput("stats needs --columns (or --features for every column)")
        if spec.bins is not None and len(spec.bins) < 2:
            raise InvalidInput("--bins needs at least two edges")
        public = keys.generate("stats")
        request = canonical_json({"mode": "stats", "columns": spec.columns, "bins": spec.bins})
        return dataclasses.replace(spec, init_weights_cid=storage.add_bytes(request),
                                   n_values=stats.stats_length(self.n_cols(spec), spec.bins)), public

    def owner_update(self, rc, spec, rnd, index, global_model_cid, ref):
        out = rc.run("datacap.stats.encrypt", [rc.private_storage(rc.context_cid), rc.context_cid, ref,
                                               column_indices(ref, spec.columns), spec.bins], rc.task_id)
        return Update(out["cid"], out["n_samples"])

    def trainer_step(self, rc, job, spec, rs):
        require_min_included(rs)  # never decrypt a sum of fewer than 2 updates
        from workers import stats

        n = self.n_cols(spec)
        js = stats.decrypt_stats(rc.secret_context(), payloads.raw(rc.store, rs.aggregate_cid), n, spec.bins)
        out = {"count": js.count, "mean": js.mean.tolist(), "var": js.var.tolist(),
               "hist": None if js.hist is None else js.hist.tolist()}
        names = spec.columns if spec.columns is not None else [f"x{i}" for i in range(n)]
        statistics = {}
        for j, name in enumerate(names):
            s = {"mean": out["mean"][j], "var": out["var"][j], "count": out["count"]}
            if out["hist"] is not None:
                s["hist"] = [int(v) for v in out["hist"][j]]
            statistics[name] = s
        doc = {"job": job.job_id, "columns": names, "bins": spec.bins, "statistics": statistics}
        return Step(canonical_json(doc), None, None, metrics={"count": float(out["count"])},
                    result={"statistics": statistics})

    def description(self, spec):
        return "joint statistics (count, mean, variance, histograms) computed under CKKS; weights: the statistics JSON"


HANDLERS = {h.mode: h for h in (FedAvgHandler(), EncryptedModelHandler(), StatsHandler())}


def handler_for(spec: JobSpec) -> ModeHandler:
    return HANDLERS[spec.mode]



def context_fingerprint(storage, cid: str) -> bytes:
    """The fingerprint every ciphertext header made under the job's public context carries."""
    from workers import he

    return he.fingerprint(payloads.raw(storage, cid))
