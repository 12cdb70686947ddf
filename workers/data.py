"""Datasets for the workers: non-IID splits of bundled scikit-learn data and CSV loading."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Split", "dirichlet_split", "load_digits_split", "load_csv", "DataError"]


class DataError(ValueError):
    """Input data cannot be used (missing file or column, non-numeric features, too few rows)."""


@dataclass
class Split:
    """Per-owner training shards plus a held-out test set."""

    owners: list[tuple[np.ndarray, np.ndarray]]
    X_test: np.ndarray
    y_test: np.ndarray
    classes: int

    @property
    def X_train(self) -> np.ndarray:
        return np.concatenate([x for x, _ in self.owners])

    @property
    def y_train(self) -> np.ndarray:
        return np.concatenate([y for _, y in self.owners])


def dirichlet_split(y: np.ndarray, n_owners: int, alpha: float = 0.5, seed: int = 0,
                    min_samples: int = 20) -> list[np.ndarray]:
    """Index sets per owner; each label's samples are spread with Dirichlet(alpha) proportions.

    Resamples (deterministically, from ``seed``) until every owner has ``min_samples``.
    """
    if n_owners < 1:
        raise DataError("n_owners must be >= 1")
    if len(y) < n_owners * min_samples:
        raise DataError(f"{len(y)} samples cannot give {n_owners} owners {min_samples} each")
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    for _ in range(1000):
        parts: list[list[int]] = [[] for _ in range(n_owners)]
        for c in classes:
            idx = rng.permutation(np.flatnonzero(y == c))
            props = rng.dirichlet(np.full(n_owners, alpha))
            cuts = (np.cumsum(props)[:-1] * len(idx)).astype(int)
            for o, chunk in enumerate(np.split(idx, cuts)):
                parts[o].extend(chunk.tolist())
        if min(len(p) for p in parts) >= min_samples:
            return [np.sort(np.array(p, dtype=np.int64)) for p in parts]
    raise DataError("could not reach min_samples per owner; raise alpha or lower min_samples")


def _standardize(X_train: np.ndarray, *others: np.ndarray):
    mu = X_train.mean(axis=0)
    sd = X_train.std(axis=0)
    sd[sd == 0] = 1.0
    return [(a - mu) / sd for a in (X_train, *others)]


def load_digits_split(n_owners: int = 4, alpha: float = 0.5, seed: int = 0, test_size: float = 0.2,
                      min_samples: int = 30) -> Split:
    """scikit-learn digits (8x8, 64 features, 10 classes; bundled, offline) split non-IID."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    # Pixel intensities share one scale (0..16): a fixed global scaling needs no owner statistics.
    X_tr, X_te = (X_tr / 16.0).astype(np.float32), (X_te / 16.0).astype(np.float32)
    parts = dirichlet_split(y_tr, n_owners, alpha, seed, min_samples)
    owners = [(X_tr[p], y_tr[p].astype(np.int64)) for p in parts]
    return Split(owners, X_te, y_te.astype(np.int64), 10)


def load_csv(path: str | Path, label_column: str, standardize: bool = True, classes=None
             ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read a CSV with a header row into ``(X float32, y int64, class_names)``.

    Features must be numeric; labels may be any strings (encoded in sorted order). Features are
    standardized per column when ``standardize``. ``classes`` fixes the label order (labels are
    matched as strings); by default it is the sorted set of labels in this file.
    """
    import csv

    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such CSV file: {path}")
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    if len(rows) < 2:
        raise DataError(f"{path}: needs a header row and at least one data row")
    header, body = [h.strip() for h in rows[0]], [r for r in rows[1:] if r]
    if label_column not in header:
        raise DataError(f"{path}: no column {label_column!r}; columns are {header}")
    li = header.index(label_column)
    feats = [i for i in range(len(header)) if i != li]
    X = np.empty((len(body), len(feats)), dtype=np.float64)
    labels = []
    for r, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DataError(f"{path}:{r}: {len(row)} fields, header has {len(header)}")
        labels.append(row[li].strip())
        for j, i in enumerate(feats):
            try:
                X[r - 2, j] = float(row[i])
            except ValueError:
                raise DataError(f"{path}:{r}: column {header[i]!r} is not numeric: {row[i]!r}") from None
    classes = [str(c) for c in classes] if classes else sorted(set(labels))
    index = {c: k for k, c in enumerate(classes)}
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise DataError(f"{path}: labels {unknown[:5]} are not among the classes {classes}")
    y = np.array([index[c] for c in labels], dtype=np.int64)
    if standardize:
        (X,) = _standardize(X)
    return X.astype(np.float32), y, classes
