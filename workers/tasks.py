"""Thin Celery tasks over workers.compute, workers.he, workers.stats and workers.encrypted_lr.

Data goes to the task, not through the broker: a task takes CIDs and the party's storage settings
(``open_storage`` arguments, e.g. ``{"backend": "local", "root": ...}``), reads its inputs itself
(every read is verified against its CID; a ciphertext committed on chain is also checked against its
SHA-256), writes its output to the same store and returns ``{cid, sha256, ...}``. No ciphertext,
context or model bytes go through Redis, and no task ever sees a secret key: decryption runs in the
trainer's own process (:mod:`orchestrator.training.modes`).

Transient faults (connection, OS, timeout) retry with exponential backoff; bad input (``HEError`` and
its ``CiphertextRejected``/``ContextRejected``, ``DataError``, ``SpecError``) fails at once.
"""
from __future__ import annotations

import functools
import json

import numpy as np

from . import compute, encrypted_lr, he, stats
from .celery import app

TRANSIENT = (ConnectionError, TimeoutError, OSError)
_retrying = dict(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=60, retry_jitter=True,
                 max_retries=5, dont_autoretry_for=(ValueError,))


@functools.lru_cache(maxsize=4)
def _open(settings: str):
    from orchestrator.storage import open_storage

    return open_storage(**json.loads(settings))


def _store(storage: dict):
    return _open(json.dumps(storage, sort_keys=True))


@functools.lru_cache(maxsize=4)
def _context(settings: str, cid: str) -> bytes:
    """A public context by CID, kept per worker process (encrypted-model's is 66.6 MB with Galois keys)."""
    return _open(settings).get(cid)


def _ctx(storage: dict, cid: str) -> bytes:
    return _context(json.dumps(storage, sort_keys=True), cid)


def _committed(storage: dict, cid: str, sha256: str) -> bytes:
    """The bytes of ``cid``, which must hash to the ``sha256`` committed on chain."""
    blob = _store(storage).get(cid)
    if compute.sha256_hex(blob) != sha256.lower().removeprefix("0x"):
        raise he.CiphertextRejected(f"ciphertext {cid} does not match its on-chain hash {sha256}")
    return blob


def _put(storage: dict, blob: bytes, **extra) -> dict:
    return {"cid": _store(storage).add_bytes(blob), "sha256": compute.sha256_hex(blob), **extra}


def _single_thread():
    import torch
    torch.set_num_threads(1)


@app.task(name="datacap.train_encrypt", **_retrying)
def train_encrypt(storage: dict, context_cid: str, request: dict, data_ref: dict) -> dict:
    """request: {spec, global_cid, epochs, lr, batch, seed, weight_cap}."""
    _single_thread()
    req = dict(request)
    weights = np.frombuffer(_store(storage).get(req.pop("global_cid")), dtype="<f4").copy()
    X, y = compute.load_data(compute.DataRef.from_dict(data_ref))
    r = compute.train_and_encrypt(_ctx(storage, context_cid), compute.TrainRequest(**req, global_weights=weights), X, y)
    return _put(storage, r.blob, n_samples=r.n_samples, weight=r.weight)


@app.task(name="datacap.validate_ciphertext", **_retrying)
def validate_ciphertext(storage: dict, context_cid: str, cid: str, sha256: str, n_values: int | None = None) -> dict:
    """``{ok, reason}`` (and the header's sender binding when ok) for a committed update (unavailable, not its on-chain hash, or rejected by the context)."""
    from orchestrator.errors import StorageError

    try:
        h = he.validate_ciphertext(_ctx(storage, context_cid), _committed(storage, cid, sha256), n_values)
    except StorageError as e:
        return {"ok": False, "reason": f"ciphertext {cid} unavailable ({e})"}
    except he.CiphertextRejected as e:
        return {"ok": False, "reason": str(e)}
    return {"ok": True, "n_values": h.n_values, "n_parties": h.n_parties, "binding": h.binding.hex()}


@app.task(name="datacap.aggregate", **_retrying)
def aggregate(storage: dict, context_cid: str, cids: list[str], sha256s: list[str], n_values: int | None = None
              ) -> dict:
    """Sum the committed updates ``cids`` (in that order); a bad one raises ``CiphertextRejected(index=i)``."""
    blobs = []
    for i, (cid, h) in enumerate(zip(cids, sha256s, strict=True)):
        try:
            blobs.append(_committed(storage, cid, h))
        except he.CiphertextRejected as e:
            raise he.CiphertextRejected(str(e), i) from e
    return _put(storage, he.aggregate(_ctx(storage, context_cid), blobs, n_values))


@app.task(name="datacap.verify_aggregate", **_retrying)
def verify_aggregate(storage: dict, context_cid: str, cids: list[str], sha256s: list[str], expected_sha256: str
                     ) -> dict:
    """Recompute an aggregate from committed updates: ``{ok, reason, sha256}`` (never raises on bad input)."""
    from orchestrator.errors import StorageError

    try:
        blobs = [_committed(storage, c, h) for c, h in zip(cids, sha256s, strict=True)]
        got = compute.sha256_hex(compute.aggregate_updates(_ctx(storage, context_cid), blobs).blob)
    except (StorageError, he.HEError) as e:
        return {"ok": False, "reason": f"included updates cannot be aggregated: {e}", "sha256": ""}
    ok = got == expected_sha256.lower().removeprefix("0x")
    return {"ok": ok, "sha256": got, "reason": "aggregate matches its recomputation" if ok else
            f"aggregate mismatch: committed 0x{expected_sha256.lower().removeprefix('0x')}, recomputed 0x{got}"}


@app.task(name="datacap.evaluate", **_retrying)
def evaluate(storage: dict, spec: dict, weights_cid: str, data_ref: dict) -> dict:
    _single_thread()
    X, y = compute.load_data(compute.DataRef.from_dict(data_ref))
    w = np.frombuffer(_store(storage).get(weights_cid), dtype="<f4").copy()
    return compute.evaluate_model(spec, w, X, y)


@app.task(name="datacap.stats.encrypt", **_retrying)
def stats_encrypt(storage: dict, context_cid: str, data_ref: dict, columns: list[int] | None = None,
                  bins: list[float] | None = None) -> dict:
    X, _ = compute.load_data(compute.DataRef.from_dict(data_ref))
    blob = stats.encrypt_stats(_ctx(storage, context_cid), X, columns, bins)
    return _put(storage, blob, n_samples=int(len(X)))


@app.task(name="datacap.elr.gradient", **_retrying)
def elr_gradient(storage: dict, context_cid: str, weights_cid: str, data_ref: dict, scale: float = 1.0,
                 positive: int | None = None) -> dict:
    """``positive``: the class index that is label 1 (the others are 0); None: labels are already 0/1."""
    X, y = compute.load_data(compute.DataRef.from_dict(data_ref))
    if positive is not None:
        y = (y == positive).astype(np.float64)
    blob = encrypted_lr.encrypted_gradient(_ctx(storage, context_cid), _store(storage).get(weights_cid),
                                           encrypted_lr.add_bias(X), y, scale)
    return _put(storage, blob, n_samples=int(len(y)))
