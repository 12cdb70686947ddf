"""Encrypted-model logistic regression: the trainer's weights stay encrypted (CKKS) end to end.

Round: the trainer encrypts ``w`` (features + bias) under its ``encrypted-model`` context; each
data owner computes, on its plaintext ``X`` (standardized, with a bias column) and labels ``y``,
the encrypted gradient sum ``X^T (sigma(Xw) - y)`` with the degree-3 approximation
``sigma(z) ~ 0.5 + 0.197 z - 0.004 z^3`` (good on roughly [-5, 5]); the aggregator sums the
owners' ciphertexts; the trainer decrypts only the sum and takes a gradient step.

Depth: ``z = Xw`` (1 level), ``z^2`` and ``-0.004 z`` (2), their product (3), ``X^T p`` (4).
Cost: two TenSEAL vector-matrix products per owner per step (~2 s for 150 samples x 31 features
on one core) and a Galois-key public context of ~65 MB, so this mode suits binary tasks with
few features (one-vs-rest multiplies everything by the class count); FedAvg is the default.
"""
from __future__ import annotations

import numpy as np

from . import he

__all__ = ["add_bias", "encrypt_weights", "encrypted_gradient", "gradient_step", "sigmoid_poly",
           "train_plain_poly", "predict"]

C0, C1, C3 = 0.5, 0.197, -0.004


def sigmoid_poly(z: np.ndarray) -> np.ndarray:
    return C0 + C1 * z + C3 * z ** 3


def add_bias(X: np.ndarray, clip: float = 3.0) -> np.ndarray:
    """Append the bias column; clip standardized features to [-clip, clip] so ``x . w`` stays in
    the polynomial's range."""
    X = np.clip(np.asarray(X, dtype=np.float64), -clip, clip)
    return np.hstack([X, np.ones((len(X), 1))])


def encrypt_weights(public_ctx: bytes, w: np.ndarray) -> bytes:
    """Trainer: encrypt the model (mode ``encrypted-model``)."""
    return he.encrypt_values(public_ctx, np.asarray(w, dtype=np.float64))


def encrypted_gradient(public_ctx: bytes, enc_w: bytes, X: np.ndarray, y: np.ndarray,
                       scale: float = 1.0) -> bytes:
    """Data owner: encrypted ``scale * sum_i (sigma_poly(x_i . w) - y_i) x_i`` on its plaintext data.

    ``X`` must already carry the bias column (:func:`add_bias`) and have as many columns as ``w``.
    ``scale`` (public, e.g. 1 / the job's largest sample count) keeps the summed gradient inside
    the CKKS headroom; it costs no level because it is folded into the plaintext matrix.
    """
    hc = he.load_public_context(public_ctx)
    if hc.mode != "encrypted-model":
        raise he.HEError(f"needs an encrypted-model context, got {hc.mode!r}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    (ew,) = he.ckks_vectors(hc, enc_w, X.shape[1])
    if len(X) != len(y) or len(X) > hc.slots:
        raise he.HEError(f"need 1..{hc.slots} rows with one label each")
    z = ew.mm(X.T.tolist())  # (n,)
    p = z.square() * (z * C3) + z * C1  # C1 z + C3 z^3
    g = p.mm((X * scale).tolist())  # scale * X^T p
    g = g + (scale * (X.T @ (C0 - y))).tolist()  # plaintext part of X^T (sigma - y)
    return he.pack_ckks(hc, [g], X.shape[1])


def gradient_step(secret_ctx: bytes, agg_blob: bytes, w: np.ndarray, n_total: int, lr: float = 0.1,
                  l2: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """Trainer: decrypt the summed gradient, average over ``n_total`` samples, step."""
    w = np.asarray(w, dtype=np.float64)
    g = he.decrypt_values(secret_ctx, agg_blob, w.size) / (scale * n_total)
    return w - lr * (g + l2 * w)


def train_plain_poly(X: np.ndarray, y: np.ndarray, steps: int, lr: float = 0.1) -> np.ndarray:
    """Plaintext reference with the same polynomial sigmoid and schedule."""
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        w = w - lr * (X.T @ (sigmoid_poly(X @ w) - y)) / len(y)
    return w


def predict(w: np.ndarray, X: np.ndarray) -> np.ndarray:
    return (np.asarray(X) @ np.asarray(w) > 0).astype(np.int64)
