"""Encrypted FedAvg vs plaintext FedAvg through the same Flower client/strategy code (DESIGN §8).

Both fedavg schemes (ckks, bfv-packed). Same non-IID digits split (4 owners, Dirichlet 0.5), same seeds, same model; prints round time,
accuracy and their ratios, plus centralized training as the upper reference.

    python bench/fedavg_round.py [--rounds 20] [--owners 4]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from workers import compute, data, flower_app, he, training  # noqa: E402

SPEC = {"kind": "mlp", "hidden": [32], "features": 64, "classes": 10}


def run(split, rounds, public_ctx=None, secret_ctx=None):
    cap = max(len(y) for _, y in split.owners)
    decrypt_fn = (lambda agg, g: compute.apply_aggregate(secret_ctx, agg, g)) if secret_ctx else None
    strategy = flower_app.HEFedAvg(public_ctx, training.init_weights(SPEC, 0), decrypt_fn,
                                   {"epochs": 2, "lr": 0.05, "batch": 32, "weight_cap": cap})
    clients = [flower_app.DatacapClient(public_ctx, SPEC, X, y, seed=i) for i, (X, y) in enumerate(split.owners)]
    t0 = time.perf_counter()
    w = flower_app.run_inprocess(strategy, clients, rounds)
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
    run(split, 1)  # warm torch and the HE context caches
    for sk_pk in keys.values():
        run(split, 1, sk_pk[1], sk_pk[0])
    t_plain, m_plain = run(split, a.rounds)
    wc = training.train_centralized(SPEC, split.X_train, split.y_train, 10, 0.05, 32, 0)
    m_c = training.evaluate(SPEC, wc, split.X_test, split.y_test)
    print(f"digits, {a.owners} owners non-IID (Dirichlet 0.5), MLP {n} params, {a.rounds} rounds x 2 epochs")
    print(f"plaintext FedAvg (Flower)      : {t_plain * 1e3:7.1f} ms/round, accuracy {m_plain['accuracy']:.4f}")
    for scheme, (sk, pk) in keys.items():
        t_enc, m_enc = run(split, a.rounds, pk, sk)
        print(f"encrypted FedAvg {scheme:<10}    : {t_enc * 1e3:7.1f} ms/round, accuracy {m_enc['accuracy']:.4f}"
              f"  -> {t_enc / t_plain:.2f}x round time (target <= 2x), "
              f"{100 * (m_enc['accuracy'] - m_plain['accuracy']):+.2f} points vs plaintext (target within 0.5)")
    print(f"centralized (10 epochs)        :                  accuracy {m_c['accuracy']:.4f}")


if __name__ == "__main__":
    main()
