"""PyTorch models from JSON specs, local training, evaluation and plaintext FedAvg references."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn

__all__ = ["build_model", "n_params", "flatten", "unflatten", "init_weights", "local_train",
           "evaluate", "fedavg_plain", "train_centralized", "SpecError"]


class SpecError(ValueError):
    """A model spec is malformed."""


def build_model(spec: dict) -> nn.Module:
    """``{"kind": "logistic"|"mlp", "features": 64, "classes": 10, "hidden": [32]}`` -> module."""
    try:
        kind, f, c = spec["kind"], int(spec["features"]), int(spec["classes"])
    except (KeyError, TypeError, ValueError) as e:
        raise SpecError(f"model spec needs kind, features, classes: {e}") from e
    if kind == "logistic":
        return nn.Linear(f, c)
    if kind == "mlp":
        layers, prev = [], f
        for h in spec.get("hidden", [32]):
            layers += [nn.Linear(prev, int(h)), nn.ReLU()]
            prev = int(h)
        return nn.Sequential(*layers, nn.Linear(prev, c))
    raise SpecError(f"unknown model kind {kind!r} (logistic, mlp)")


def flatten(model: nn.Module) -> np.ndarray:
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().astype(np.float32)


def unflatten(model: nn.Module, weights: np.ndarray) -> nn.Module:
    w = torch.as_tensor(np.asarray(weights, dtype=np.float32))
    total = sum(p.numel() for p in model.parameters())
    if w.numel() != total:
        raise SpecError(f"weights have {w.numel()} values, model has {total}")
    off = 0
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(w[off:off + p.numel()].reshape(p.shape))
            off += p.numel()
    return model


def n_params(spec: dict) -> int:
    return sum(p.numel() for p in build_model(spec).parameters())


def init_weights(spec: dict, seed: int = 0) -> np.ndarray:
    torch.manual_seed(seed)
    return flatten(build_model(spec))


def _loader(X, y, batch: int, seed: int):
    X = torch.as_tensor(np.asarray(X, dtype=np.float32))
    y = torch.as_tensor(np.asarray(y, dtype=np.int64))
    g = torch.Generator().manual_seed(seed)
    n = len(y)

    def batches():
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            yield X[idx], y[idx]
    return batches


def local_train(spec: dict, global_weights: np.ndarray, X: np.ndarray, y: np.ndarray,
                epochs: int = 1, lr: float = 0.1, batch: int = 32, seed: int = 0
                ) -> tuple[np.ndarray, int]:
    """SGD (momentum 0.9) from ``global_weights``; returns ``(new_weights, n_samples)``."""
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    model = unflatten(build_model(spec), global_weights)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    batches = _loader(X, y, batch, seed)
    model.train()
    for _ in range(epochs):
        for xb, yb in batches():
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
    return flatten(model), int(len(y))


def evaluate(spec: dict, weights: np.ndarray, X: np.ndarray, y: np.ndarray) -> dict:
    torch.set_num_threads(1)
    model = unflatten(build_model(spec), weights).eval()
    with torch.no_grad():
        logits = model(torch.as_tensor(np.asarray(X, dtype=np.float32)))
        yt = torch.as_tensor(np.asarray(y, dtype=np.int64))
        loss = nn.functional.cross_entropy(logits, yt).item()
        acc = (logits.argmax(1) == yt).float().mean().item()
    return {"accuracy": float(acc), "loss": float(loss)}


def fedavg_plain(spec: dict, owners: Sequence[tuple[np.ndarray, np.ndarray]], rounds: int,
                 epochs: int = 1, lr: float = 0.1, batch: int = 32, seed: int = 0,
                 init: np.ndarray | None = None) -> np.ndarray:
    """Plaintext FedAvg reference: sample-weighted mean of local models each round."""
    w = init_weights(spec, seed) if init is None else np.asarray(init, dtype=np.float32)
    for r in range(rounds):
        outs = [local_train(spec, w, X, y, epochs, lr, batch, seed * 1000 + r * 100 + i)
                for i, (X, y) in enumerate(owners)]
        total = sum(n for _, n in outs)
        w = sum(nw.astype(np.float64) * (n / total) for nw, n in outs).astype(np.float32)
    return w


def train_centralized(spec: dict, X: np.ndarray, y: np.ndarray, epochs: int = 10, lr: float = 0.1,
                      batch: int = 32, seed: int = 0) -> np.ndarray:
    w, _ = local_train(spec, init_weights(spec, seed), X, y, epochs, lr, batch, seed)
    return w
