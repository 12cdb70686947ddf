"""Joint statistics under HE: per-column sum, sum of squares, count and histograms across owners."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import he

__all__ = ["JointStats", "encrypt_stats", "aggregate_stats", "decrypt_stats", "stats_length"]


@dataclass
class JointStats:
    count: float
    sum: np.ndarray
    mean: np.ndarray
    var: np.ndarray  # population variance of the pooled data
    hist: np.ndarray | None  # (columns, bins) counts, if bin edges were given


def stats_length(n_cols: int, bins: Sequence[float] | None = None) -> int:
    nb = len(bins) - 1 if bins is not None else 0
    return 1 + 2 * n_cols + n_cols * nb


def encrypt_stats(public_ctx: bytes, X: np.ndarray, columns: Sequence[int] | None = None,
                  bins: Sequence[float] | None = None) -> bytes:
    """Encrypt ``[count, sum_j..., sumsq_j..., hist_j_b...]`` of the chosen columns (mode ``stats``).

    ``bins`` are shared bin edges (values outside fall in no bin).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise he.HEError("X must be 2-D")
    cols = X[:, list(columns)] if columns is not None else X
    parts = [np.array([len(cols)], dtype=np.float64), cols.sum(0), (cols ** 2).sum(0)]
    if bins is not None:
        parts.append(np.stack([np.histogram(cols[:, j], bins=bins)[0] for j in range(cols.shape[1])]
                              ).astype(np.float64).reshape(-1))
    return he.encrypt_values(public_ctx, np.concatenate(parts))


def aggregate_stats(public_ctx: bytes, blobs: Sequence[bytes]) -> bytes:
    return he.aggregate(public_ctx, list(blobs))


def decrypt_stats(secret_ctx: bytes, blob: bytes, n_cols: int, bins: Sequence[float] | None = None
                  ) -> JointStats:
    v = he.decrypt_values(secret_ctx, blob, stats_length(n_cols, bins))
    count = float(v[0])
    s, ss = v[1:1 + n_cols], v[1 + n_cols:1 + 2 * n_cols]
    mean = s / count
    var = np.maximum(ss / count - mean ** 2, 0.0)
    hist = None
    if bins is not None:
        hist = np.rint(v[1 + 2 * n_cols:]).reshape(n_cols, len(bins) - 1)
    return JointStats(round(count), s, mean, var, hist)
