"""Demo data: a dataset split non-IID by label among owners, written as one CSV per owner plus the trainer's test set."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class PreparedData:
    name: str
    owner_files: list[Path]
    owner_refs: list[dict]
    test_ref: dict
    features: int
    classes: int


def _write(path: Path, header: list[str], X: np.ndarray, y: np.ndarray) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row, label in zip(X, y):
            w.writerow([f"{v:.6g}" for v in row] + [int(label)])
    return path


def prepare(directory: Path, owners: int, *, dataset: str | None = None, label: str = "",
            alpha: float = 0.5, seed: int = 0, standardize: bool = True) -> PreparedData:
    """digits (``dataset=None``) or a CSV with a ``label`` column; features standardized with the
    training rows' statistics (a shared preprocessing step the owners agree on) unless ``standardize``
    is False (joint statistics want the raw values). The CSV's feature column names are kept."""
    from workers import data

    directory.mkdir(parents=True, exist_ok=True)
    if dataset is None:
        split = data.load_digits_split(owners, alpha, seed)
        header = [f"px{i}" for i in range(64)] + ["label"]
        files = [_write(directory / f"owner{k + 1}.csv", header, X, y) for k, (X, y) in enumerate(split.owners)]
        refs = [dict(kind="digits", owner=k, n_owners=owners, alpha=alpha, seed=seed) for k in range(owners)]
        test = dict(kind="digits", owner=-1, n_owners=owners, alpha=alpha, seed=seed)
        return PreparedData("digits", files, refs, test, 64, 10)
    from sklearn.model_selection import train_test_split

    X, y, classes = data.load_csv(dataset, label, standardize=False)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    if standardize:
        mu, sd = Xtr.mean(0), Xtr.std(0)
        sd[sd == 0] = 1.0
        Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
    parts = data.dirichlet_split(ytr, owners, alpha, seed, min_samples=max(5, min(20, len(ytr) // (3 * owners))))
    with open(dataset, newline="") as fh:
        names = [h.strip() for h in next(csv.reader(fh)) if h.strip() != label]
    header = (names if len(names) == X.shape[1] else [f"x{i}" for i in range(X.shape[1])]) + [label]
    labels = [str(k) for k in range(len(classes))]
    files, refs = [], []
    for k, p in enumerate(parts):
        path = _write(directory / f"owner{k + 1}.csv", header, Xtr[p], ytr[p])
        files.append(path)
        refs.append(dict(kind="csv", path=str(path), label=label, standardize=False, classes=labels))
    test = _write(directory / "trainer-test.csv", header, Xte, yte)
    return PreparedData(Path(dataset).stem, files, refs,
                        dict(kind="csv", path=str(test), label=label, standardize=False, classes=labels),
                        X.shape[1], len(classes))
