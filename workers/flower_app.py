"""Flower federation: local training as a ClientApp, homomorphic aggregation as a Strategy.

The client's ``fit`` trains locally from the plaintext global model and returns its encrypted,
weighted update as a single uint8 array (the ciphertext blob). :class:`HEFedAvg` sums those blobs
with :func:`workers.he.aggregate` and never decrypts; the new global model comes from a
``decrypt_fn`` supplied by the trainer, who alone holds the secret context (in-process it is a
function closing over the secret context; across hosts it is a call into the trainer's own process).

In-process (tests, demo, no Ray): :func:`run_inprocess` drives the same client and strategy
objects round by round with Flower's ``FitIns``/``FitRes``/``Parameters`` types.

Across hosts, with Flower's deployment engine (SuperLink + SuperNodes, no Ray), flwr 1.41; the
Flower app is the folder ``flower/`` (its FAB holds only ``pyproject.toml`` and ``datacap_app.py``,
which imports this module's apps, so ``datacap`` must be installed on every host). Tested on
loopback by ``tests/workers/test_flower_deployment.py``::

    # SuperLink (Fleet, Control and Runtime APIs share one HTTP port in flwr 1.41):
    flower-superlink --insecure --disable-runtime-dependency-installation --host 0.0.0.0 --port 8000
    # each data-owner host (its digits shard chosen by node config; --port: its local Runtime API):
    flower-supernode --insecure --superlink LINKHOST:8000 --port 9094 \
        --node-config "owner=0 n-owners=3 public-ctx='/path/public.ctx'"
    # the submitting host: the SuperLink connection lives in $FLWR_HOME/config.toml
    # (default ~/.flwr/config.toml), not in pyproject.toml:
    #   [superlink.local-deployment]
    #   address = "LINKHOST:8000"
    #   insecure = true
    flwr run flower local-deployment --run-config \
        "rounds=2 epochs=5 lr=0.1 min-clients=3 public-ctx='/path/public.ctx' secret-ctx='/path/secret.ctx' result-path='/tmp/result.json'"
    flwr ls local-deployment            # status: finished:completed
    flwr log RUN_ID local-deployment --show

The ServerApp runs on the SuperLink's host (paths in the run config are paths there). With
``secret-ctx`` it decrypts each round's sum there, i.e. the aggregator is the trainer; leave
``secret-ctx`` empty and it only sums ciphertexts (the global model then stays put: a real
deployment gives ``decrypt_fn`` a call into the trainer's own process). ``result-path`` receives a
JSON summary after every round (round, aggregate and weights SHA-256, test accuracy if decrypted).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from flwr.client import ClientApp, NumPyClient
from flwr.common import (Code, Context, EvaluateIns, EvaluateRes, FitIns, FitRes, Parameters, Status,
                         ndarrays_to_parameters, parameters_to_ndarrays)
from flwr.server import ServerApp, ServerAppComponents, ServerConfig
from flwr.server.client_manager import ClientManager
from flwr.server.strategy import Strategy

from . import compute, he, training

__all__ = ["DatacapClient", "HEFedAvg", "run_inprocess", "RoundLog", "client_app", "server_app"]


def blob_to_ndarray(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint8)


def ndarray_to_blob(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=np.uint8).tobytes()


class DatacapClient(NumPyClient):
    """A data owner: ``fit`` = local training + encryption of the weighted update.

    With ``public_ctx=None`` it returns plaintext weights (the plaintext FedAvg reference).
    """

    def __init__(self, public_ctx: bytes | None, spec: dict, X: np.ndarray, y: np.ndarray, seed: int = 0):
        self.public_ctx, self.spec, self.X, self.y, self.seed = public_ctx, spec, X, y, seed

    def fit(self, parameters, config):
        (g,) = parameters
        req = compute.TrainRequest(
            spec=self.spec, global_weights=np.asarray(g, dtype=np.float32),
            epochs=int(config.get("epochs", 2)), lr=float(config.get("lr", 0.05)),
            batch=int(config.get("batch", 32)),
            seed=self.seed * 100_003 + int(config.get("round", 0)),
            weight_cap=int(config.get("weight_cap", len(self.y))))
        if self.public_ctx is None:
            new, n = training.local_train(req.spec, req.global_weights, self.X, self.y, req.epochs,
                                          req.lr, req.batch, req.seed)
            return [new], n, {"sha256": hashlib.sha256(new.tobytes()).hexdigest()}
        res = compute.train_and_encrypt(self.public_ctx, req, self.X, self.y)
        return [blob_to_ndarray(res.blob)], res.n_samples, {"sha256": res.sha256}

    def evaluate(self, parameters, config):
        (g,) = parameters
        m = training.evaluate(self.spec, g, self.X, self.y)
        return m["loss"], len(self.y), {"accuracy": m["accuracy"]}


@dataclass
class HEFedAvg(Strategy):
    """FedAvg whose ``aggregate_fit`` is a homomorphic sum (the server never decrypts).

    ``decrypt_fn(aggregate_blob, global_weights) -> new_global_weights`` is the trainer's step.
    With ``public_ctx=None`` it is plain FedAvg (sample-weighted mean of plaintext weights).
    """

    public_ctx: bytes | None
    initial_weights: np.ndarray
    decrypt_fn: Callable[[bytes, np.ndarray], np.ndarray] | None = None
    fit_config: dict = field(default_factory=dict)
    min_fit_clients: int = 1
    last_aggregate: bytes | None = None
    last_sha256: str | None = None
    #: called after each round's aggregation with ``(server_round, strategy)`` (e.g. to record it)
    on_aggregate: Callable[[int, "HEFedAvg"], None] | None = None

    def __post_init__(self):
        self.global_weights = np.asarray(self.initial_weights, dtype=np.float32)

    def initialize_parameters(self, client_manager: ClientManager):
        return ndarrays_to_parameters([self.global_weights])

    def fit_ins(self, server_round: int) -> FitIns:
        return FitIns(ndarrays_to_parameters([self.global_weights]),
                      dict(self.fit_config, round=server_round))

    def configure_fit(self, server_round, parameters, client_manager):
        clients = client_manager.sample(num_clients=max(self.min_fit_clients, client_manager.num_available()),
                                        min_num_clients=self.min_fit_clients)
        return [(c, self.fit_ins(server_round)) for c in clients]

    def aggregate_fit(self, server_round, results, failures):
        if not results:
            return None, {"failures": len(failures)}
        # Fixed order (by client id) so the aggregate is reproducible by anyone.
        ordered = sorted(results, key=lambda r: str(getattr(r[0], "cid", "")))
        if self.public_ctx is None:
            arrays = [parameters_to_ndarrays(res.parameters)[0].astype(np.float64) for _, res in ordered]
            total = sum(res.num_examples for _, res in ordered)
            self.global_weights = sum(a * (res.num_examples / total)
                                      for a, (_, res) in zip(arrays, ordered)).astype(np.float32)
            self.last_sha256 = hashlib.sha256(self.global_weights.tobytes()).hexdigest()
            if self.on_aggregate:
                self.on_aggregate(server_round, self)
            return ndarrays_to_parameters([self.global_weights]), {"included": len(arrays)}
        blobs = [ndarray_to_blob(parameters_to_ndarrays(res.parameters)[0]) for _, res in ordered]
        agg = he.aggregate(self.public_ctx, blobs)
        self.last_aggregate = agg
        self.last_sha256 = hashlib.sha256(agg).hexdigest()
        if self.decrypt_fn is not None:
            self.global_weights = np.asarray(self.decrypt_fn(agg, self.global_weights), dtype=np.float32)
        metrics = {"aggregate_sha256": self.last_sha256, "included": len(blobs),
                   "failures": len(failures)}
        if self.on_aggregate:
            self.on_aggregate(server_round, self)
        return ndarrays_to_parameters([self.global_weights]), metrics

    def configure_evaluate(self, server_round, parameters, client_manager):
        return []

    def aggregate_evaluate(self, server_round, results, failures):
        return None, {}

    def evaluate(self, server_round, parameters):
        return None


@dataclass
class RoundLog:
    round: int
    aggregate_sha256: str
    update_sha256: list[str]
    weights: np.ndarray = field(repr=False)


class _Proxy:
    def __init__(self, cid: str):
        self.cid = cid


def run_inprocess(strategy: HEFedAvg, clients: list[DatacapClient], rounds: int,
                  on_round: Callable[[RoundLog], None] | None = None) -> np.ndarray:
    """Drive Flower client and strategy objects for ``rounds`` rounds in this process (no Ray)."""
    proxies = [_Proxy(f"owner-{i:04d}") for i in range(len(clients))]
    wrapped = [c.to_client() for c in clients]  # flwr builds a wrapper class per call: once per client
    for r in range(1, rounds + 1):
        ins = strategy.fit_ins(r)
        results = []
        for proxy, client in zip(proxies, wrapped):
            fit_res = client.fit(ins)
            results.append((proxy, FitRes(Status(Code.OK, ""), fit_res.parameters,
                                          fit_res.num_examples, fit_res.metrics)))
        strategy.aggregate_fit(r, results, [])
        if on_round:
            on_round(RoundLog(r, strategy.last_sha256, [res.metrics["sha256"] for _, res in results],
                              strategy.global_weights.copy()))
    return strategy.global_weights


# --------------------------------------------------------------------------- deployment apps

DEFAULT_SPEC = {"kind": "mlp", "hidden": [32], "features": 64, "classes": 10}


def _client_fn(context: Context):
    cfg = context.node_config
    with open(cfg["public-ctx"], "rb") as f:
        public_ctx = f.read()
    ref = compute.DataRef(kind="digits", owner=int(cfg.get("owner", 0)),
                          n_owners=int(cfg.get("n-owners", 4)))
    X, y = compute.load_data(ref)
    return DatacapClient(public_ctx, DEFAULT_SPEC, X, y, seed=int(cfg.get("owner", 0))).to_client()


def _server_fn(context: Context):
    """The aggregator's ServerApp. Run config (flower/pyproject.toml ``[tool.flwr.app.config]``):
    ``public-ctx`` (required), ``secret-ctx`` (empty: sum only, never decrypt), ``rounds``,
    ``min-clients``, ``weight-cap``, ``epochs``, ``lr``, ``result-path`` (JSON summary per round)."""
    cfg = context.run_config
    public_path = str(cfg.get("public-ctx", ""))
    if not public_path:
        raise ValueError("run config 'public-ctx' (path of the trainer's public context) is required")
    with open(public_path, "rb") as f:
        public_ctx = f.read()
    secret_path = str(cfg.get("secret-ctx", ""))
    decrypt_fn = None
    if secret_path:
        with open(secret_path, "rb") as f:
            secret_ctx = f.read()
        decrypt_fn = lambda agg, g: compute.apply_aggregate(secret_ctx, agg, g)  # noqa: E731
    result_path = str(cfg.get("result-path", ""))
    on_aggregate = _result_writer(result_path, decrypted=decrypt_fn is not None) if result_path else None
    strategy = HEFedAvg(public_ctx, training.init_weights(DEFAULT_SPEC, 0), decrypt_fn,
                        {"epochs": int(cfg.get("epochs", 2)), "lr": float(cfg.get("lr", 0.05)),
                         "weight_cap": int(cfg.get("weight-cap", 500))},
                        min_fit_clients=int(cfg.get("min-clients", 2)), on_aggregate=on_aggregate)
    return ServerAppComponents(strategy=strategy, config=ServerConfig(num_rounds=int(cfg.get("rounds", 10))))


def _result_writer(path: str, decrypted: bool) -> Callable[[int, HEFedAvg], None]:
    """Write a JSON summary of the latest round to ``path`` (atomically): the round, the aggregate's
    hash, the global weights' hash and, when the server could decrypt, the accuracy on the digits
    test split. It never holds anything secret: no contexts, no weights."""
    import json
    import os

    def write(server_round: int, strategy: HEFedAvg) -> None:
        w = strategy.global_weights
        summary = {"round": server_round, "aggregate_sha256": strategy.last_sha256,
                   "weights_sha256": hashlib.sha256(w.tobytes()).hexdigest(),
                   "decrypted": decrypted, "test_accuracy": None}
        if decrypted:
            X, y = compute.load_data(compute.DataRef(kind="digits", owner=-1))
            summary["test_accuracy"] = float(training.evaluate(DEFAULT_SPEC, w, X, y)["accuracy"])
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            json.dump(summary, f)
        os.replace(tmp, path)

    return write


client_app = ClientApp(client_fn=_client_fn)
server_app = ServerApp(server_fn=_server_fn)
