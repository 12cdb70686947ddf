"""Thin Celery tasks over workers.compute, workers.he, workers.stats and workers.encrypted_lr.

Arguments and results are JSON: bytes as base64 strings, float vectors as base64 of little-endian
float32 (``weights``) or float64 (``vector``). Transient faults (connection, OS, timeout) retry with
exponential backoff; bad input (``HEError`` and its ``CiphertextRejected``/``ContextRejected``,
``DataError``, ``SpecError``) fails at once.
"""
from __future__ import annotations

import numpy as np

from . import compute, encrypted_lr, he, stats
from .celery import app, b64d, b64e

TRANSIENT = (ConnectionError, TimeoutError, OSError)
_retrying = dict(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=60, retry_jitter=True,
                 max_retries=5, dont_autoretry_for=(ValueError,))


def _f32(s: str) -> np.ndarray:
    return np.frombuffer(b64d(s), dtype="<f4").copy()


def _f32e(a) -> str:
    return b64e(np.asarray(a, dtype="<f4").tobytes())


def _f64(s: str) -> np.ndarray:
    return np.frombuffer(b64d(s), dtype="<f8").copy()


_FILE_CTX: dict = {}


def _ctx(arg: str) -> bytes:
    """A public context argument: base64 bytes, or ``file:PATH`` for a context too big for the broker
    (encrypted-model's Galois keys, 66.6 MB) that the party's orchestrator wrote on this machine.
    File contents are cached by (path, size, mtime) so the same bytes object (hash cached) is reused."""
    if not arg.startswith("file:"):
        return b64d(arg)
    import os

    path = arg[5:]
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _FILE_CTX:
        if len(_FILE_CTX) >= 4:
            _FILE_CTX.clear()
        with open(path, "rb") as f:
            _FILE_CTX[key] = f.read()
    return _FILE_CTX[key]


def _single_thread():
    import torch
    torch.set_num_threads(1)


@app.task(name="datacap.train_encrypt", **_retrying)
def train_encrypt(public_ctx: str, request: dict, data_ref: dict) -> dict:
    """request: {spec, global_weights (b64 f32), epochs, lr, batch, seed, weight_cap}."""
    _single_thread()
    req = compute.TrainRequest(**dict(request, global_weights=_f32(request["global_weights"])))
    X, y = compute.load_data(compute.DataRef.from_dict(data_ref))
    r = compute.train_and_encrypt(_ctx(public_ctx), req, X, y)
    return {"blob": b64e(r.blob), "sha256": r.sha256, "n_samples": r.n_samples, "weight": r.weight}


@app.task(name="datacap.encrypt_update", **_retrying)
def encrypt_update(public_ctx: str, vector: str, weight: float, seed: int | None = None) -> dict:
    blob = he.encrypt_update(_ctx(public_ctx), _f64(vector), weight, seed)
    return {"blob": b64e(blob), "sha256": compute.sha256_hex(blob)}


@app.task(name="datacap.aggregate", **_retrying)
def aggregate(public_ctx: str, blobs: list[str], included: list | None = None) -> dict:
    r = compute.aggregate_updates(_ctx(public_ctx), [b64d(b) for b in blobs], included)
    return {"blob": b64e(r.blob), "sha256": r.sha256, "included": r.included}


@app.task(name="datacap.verify_aggregate", **_retrying)
def verify_aggregate(public_ctx: str, blobs: list[str], expected_sha256: str) -> bool:
    return compute.verify_aggregate(_ctx(public_ctx), [b64d(b) for b in blobs], expected_sha256)


@app.task(name="datacap.validate_ciphertext", **_retrying)
def validate_ciphertext(public_ctx: str, blob: str, n_values: int | None = None) -> dict:
    try:
        h = he.validate_ciphertext(_ctx(public_ctx), b64d(blob), n_values)
    except he.CiphertextRejected as e:
        return {"ok": False, "reason": str(e)}
    return {"ok": True, "n_values": h.n_values, "n_parties": h.n_parties}


@app.task(name="datacap.apply_aggregate", **_retrying)
def apply_aggregate(secret_ctx: str, aggregate_blob: str, global_weights: str) -> dict:
    w = compute.apply_aggregate(b64d(secret_ctx), b64d(aggregate_blob), _f32(global_weights))
    return {"weights": _f32e(w), "sha256": compute.sha256_hex(w.astype("<f4").tobytes())}


@app.task(name="datacap.evaluate", **_retrying)
def evaluate(spec: dict, weights: str, data_ref: dict) -> dict:
    _single_thread()
    X, y = compute.load_data(compute.DataRef.from_dict(data_ref))
    return compute.evaluate_model(spec, _f32(weights), X, y)


@app.task(name="datacap.stats.encrypt", **_retrying)
def stats_encrypt(public_ctx: str, data_ref: dict, columns: list[int] | None = None,
                  bins: list[float] | None = None) -> dict:
    X, _ = compute.load_data(compute.DataRef.from_dict(data_ref))
    blob = stats.encrypt_stats(_ctx(public_ctx), X, columns, bins)
    return {"blob": b64e(blob), "sha256": compute.sha256_hex(blob), "n_samples": int(len(X))}


@app.task(name="datacap.stats.decrypt", **_retrying)
def stats_decrypt(secret_ctx: str, aggregate_blob: str, n_cols: int, bins: list[float] | None = None) -> dict:
    s = stats.decrypt_stats(b64d(secret_ctx), b64d(aggregate_blob), n_cols, bins)
    return {"count": s.count, "sum": s.sum.tolist(), "mean": s.mean.tolist(), "var": s.var.tolist(),
            "hist": None if s.hist is None else s.hist.tolist()}


@app.task(name="datacap.elr.encrypt_weights", **_retrying)
def elr_encrypt_weights(public_ctx: str, weights: str) -> dict:
    blob = encrypted_lr.encrypt_weights(_ctx(public_ctx), _f64(weights))
    return {"blob": b64e(blob), "sha256": compute.sha256_hex(blob)}


@app.task(name="datacap.elr.gradient", **_retrying)
def elr_gradient(public_ctx: str, enc_weights: str, data_ref: dict, scale: float = 1.0,
                 positive: int | None = None) -> dict:
    """``positive``: the class index that is label 1 (the others are 0); None: labels are already 0/1."""
    X, y = compute.load_data(compute.DataRef.from_dict(data_ref))
    if positive is not None:
        y = (y == positive).astype(np.float64)
    blob = encrypted_lr.encrypted_gradient(_ctx(public_ctx), b64d(enc_weights),
                                           encrypted_lr.add_bias(X), y, scale)
    return {"blob": b64e(blob), "sha256": compute.sha256_hex(blob), "n_samples": int(len(y))}


@app.task(name="datacap.elr.step", **_retrying)
def elr_step(secret_ctx: str, aggregate_blob: str, weights: str, n_total: int, lr: float = 0.1,
             scale: float = 1.0) -> dict:
    w = encrypted_lr.gradient_step(b64d(secret_ctx), b64d(aggregate_blob), _f64(weights), n_total,
                                   lr, scale=scale)
    return {"weights": b64e(np.asarray(w, dtype="<f8").tobytes())}
