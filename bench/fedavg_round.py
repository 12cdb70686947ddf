"""Encrypted FedAvg vs Flower's own FedAvg strategy (``flwr.server.strategy.FedAvg``), same clients and split.

Both fedavg schemes (ckks, bfv-packed). Same non-IID digits split (4 owners, Dirichlet 0.5), same seeds,
same model and the same :class:`workers.flower_app.DatacapClient` objects; the peer aggregates their
plaintext weights with flwr's FedAvg, ours sums their ciphertexts (:class:`workers.flower_app.HEFedAvg`)
and the trainer decrypts the sum. Prints round time, accuracy and their ratios, plus centralized
training as the upper reference.

    python bench/fedavg_round.py [--rounds 20] [--owners 4]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from flwr.common import Code, FitRes, Status, ndarrays_to_parameters, parameters_to_ndarrays
from flwr.server.strategy import FedAvg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from workers import compute, data, flower_app, he, training  # noqa: E402

SPEC = {"kind": "mlp", "hidden": [32], "features": 64, "classes": 10}
FIT = {"epochs": 2, "lr": 0.05, "batch": 32}


def clients_of(split, public_ctx=None):
    return [flower_app.DatacapClient(public_ctx, SPEC, X, y, seed=i) for i, (X, y) in enumerate(split.owners)]


def run_flwr(split, rounds):
    """Flower's FedAvg over the plaintext weights of the same clients."""
    cap = max(len(y) for _, y in split.owners)
    strategy = FedAvg(initial_parameters=ndarrays_to_parameters([training.init_weights(SPEC, 0)]),
                      fit_metrics_aggregation_fn=lambda metrics: {})
    params = strategy.initialize_parameters(None)
    clients = clients_of(split)
    proxies = [flower_app._Proxy(f"owner-{i:04d}") for i in range(len(clients))]
    t0 = time.perf_counter()
    for r in range(1, rounds + 1):
        config = dict(FIT, round=r, weight_cap=cap)
        results = []
        for proxy, client in zip(proxies, clients):
            new, n, metrics = client.fit(parameters_to_ndarrays(params), config)
            results.append((proxy, FitRes(Status(Code.OK, ""), ndarrays_to_parameters(new), n, metrics)))
        params, _ = strategy.aggregate_fit(r, results, [])
    w = parameters_to_ndarrays(params)[0]
    return (time.perf_counter() - t0) / rounds, training.evaluate(SPEC, w, split.X_test, split.y_test)


def run_encrypted(split, rounds, public_ctx, secret_ctx):
    cap = max(len(y) for _, y in split.owners)
    strategy = flower_app.HEFedAvg(public_ctx, training.init_weights(SPEC, 0),
                                   lambda agg, g: compute.apply_aggregate(secret_ctx, agg, g),
                                   dict(FIT, weight_cap=cap))
    t0 = time.perf_counter()
    w = flower_app.run_inprocess(strategy, clients_of(split, public_ctx), rounds)
    return (time.perf_counter() - t0) / rounds, training.evaluate(SPEC, w, split.X_test, split.y_test)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--owners", type=int, default=4)
    a = ap.parse_args(argv)
    split = data.load_digits_split(a.owners, 0.5, 0)
    n = training.n_params(SPEC)
    keys = {s: he.generate_keys("fedavg", scheme=s, n_params=n, max_parties=max(8, a.owners))
            for s in he.FEDAVG_SCHEMES}
    run_flwr(split, 1)  # warm torch and the HE context caches
    for sk, pk in keys.values():
        run_encrypted(split, 1, pk, sk)
    t_plain, m_plain = run_flwr(split, a.rounds)
    wc = training.train_centralized(SPEC, split.X_train, split.y_train, 10, 0.05, 32, 0)
    m_c = training.evaluate(SPEC, wc, split.X_test, split.y_test)
    print(f"digits, {a.owners} owners non-IID (Dirichlet 0.5), MLP {n} params, {a.rounds} rounds x 2 epochs")
    print(f"plaintext FedAvg (flwr.server.strategy.FedAvg): {t_plain * 1e3:7.1f} ms/round, "
          f"accuracy {m_plain['accuracy']:.4f}")
    for scheme, (sk, pk) in keys.items():
        t_enc, m_enc = run_encrypted(split, a.rounds, pk, sk)
        print(f"encrypted FedAvg {scheme:<10}                  : {t_enc * 1e3:7.1f} ms/round, accuracy "
              f"{m_enc['accuracy']:.4f}  -> {t_enc / t_plain:.2f}x round time (target <= 1.5x), "
              f"{100 * (m_enc['accuracy'] - m_plain['accuracy']):+.2f} points (target within 0.5)")
    print(f"centralized (10 epochs)                        :                  accuracy {m_c['accuracy']:.4f}")
    print("(without secure-aggregation masks: adding one is a uint32 add per coefficient, he.add_mask)")


if __name__ == "__main__":
    main()
