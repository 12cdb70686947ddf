"""Plain functions the Celery tasks wrap: train+encrypt, aggregate, verify, decrypt+apply, evaluate."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from . import data as data_mod
from . import he, training

__all__ = ["DataRef", "TrainRequest", "UpdateResult", "AggregateResult", "load_data",
           "train_and_encrypt", "aggregate_updates", "verify_aggregate", "apply_aggregate",
           "evaluate_model", "sha256_hex"]


def sha256_hex(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


@dataclass(frozen=True)
class DataRef:
    """Where a data owner's plaintext data lives (on the owner's own host).

    ``kind="csv"``: ``path`` and ``label``. ``kind="digits"``: shard ``owner`` of the non-IID
    digits split with ``n_owners``, ``alpha``, ``seed`` (demo/test data); ``owner=-1`` is the
    held-out test set.
    """

    kind: str
    path: str = ""
    label: str = ""
    owner: int = 0
    n_owners: int = 4
    alpha: float = 0.5
    seed: int = 0
    #: csv: standardize columns on load (False when the rows are already scaled with shared statistics)
    standardize: bool = True
    #: csv: the job-wide label order; an owner may lack classes, so indices must not depend on its file
    classes: tuple = ()

    @classmethod
    def from_dict(cls, d: dict) -> "DataRef":
        return cls(**d)


def load_data(ref: DataRef) -> tuple[np.ndarray, np.ndarray]:
    if ref.kind == "csv":
        X, y, _ = data_mod.load_csv(ref.path, ref.label, ref.standardize, ref.classes or None)
        return X, y
    if ref.kind == "digits":
        s = data_mod.load_digits_split(ref.n_owners, ref.alpha, ref.seed)
        if ref.owner == -1:
            return s.X_test, s.y_test
        if not 0 <= ref.owner < ref.n_owners:
            raise data_mod.DataError(f"owner {ref.owner} not in 0..{ref.n_owners - 1}")
        return s.owners[ref.owner]
    raise data_mod.DataError(f"unknown data kind {ref.kind!r} (csv, digits)")


@dataclass(frozen=True)
class TrainRequest:
    """One owner's local round. ``weight_cap`` is the job's largest sample count: an owner's
    FedAvg weight is ``min(n, weight_cap) / weight_cap`` (weights must lie in [0, 1])."""

    spec: dict
    global_weights: np.ndarray
    epochs: int = 2
    lr: float = 0.05
    batch: int = 32
    seed: int = 0
    weight_cap: int = 1


@dataclass(frozen=True)
class UpdateResult:
    blob: bytes
    sha256: str
    n_samples: int
    weight: float


@dataclass(frozen=True)
class AggregateResult:
    blob: bytes
    sha256: str
    included: list = field(default_factory=list)


def train_and_encrypt(public_ctx: bytes, req: TrainRequest, X: np.ndarray, y: np.ndarray) -> UpdateResult:
    """Local training from the global model, then encryption of the weighted update."""
    g = np.asarray(req.global_weights, dtype=np.float32)
    new, n = training.local_train(req.spec, g, X, y, req.epochs, req.lr, req.batch, req.seed)
    if req.weight_cap < 1:
        raise he.HEError("weight_cap must be >= 1")
    weight = min(n, req.weight_cap) / req.weight_cap
    blob = he.encrypt_update(public_ctx, new - g, weight, seed=req.seed)
    return UpdateResult(blob, sha256_hex(blob), n, weight)


def aggregate_updates(public_ctx: bytes, blobs: Sequence[bytes], included: Sequence | None = None
                      ) -> AggregateResult:
    """Homomorphic sum of ``blobs`` in the order given (deterministic)."""
    agg = he.aggregate(public_ctx, list(blobs))
    ids = list(included) if included is not None else list(range(len(blobs)))
    return AggregateResult(agg, sha256_hex(agg), ids)


def verify_aggregate(public_ctx: bytes, blobs: Sequence[bytes], expected_sha256: str) -> bool:
    """Recompute the aggregate from the committed ciphertexts and compare hashes (anyone can)."""
    try:
        got = he.aggregate(public_ctx, list(blobs))
    except he.CiphertextRejected:
        return False
    return sha256_hex(got) == expected_sha256.lower().removeprefix("0x")


def apply_aggregate(secret_ctx: bytes, agg_blob: bytes, global_weights: np.ndarray) -> np.ndarray:
    """Trainer side: decrypt the weighted mean update and add it to the global model."""
    g = np.asarray(global_weights, dtype=np.float32)
    mean_update = he.decrypt(secret_ctx, agg_blob, g.size)
    return (g.astype(np.float64) + mean_update).astype(np.float32)


def evaluate_model(spec: dict, weights: np.ndarray, X: np.ndarray, y: np.ndarray) -> dict:
    return training.evaluate(spec, weights, X, y)
