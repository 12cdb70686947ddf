"""Encrypted FedAvg vs Flower's own FedAvg strategy (``flwr.server.strategy.FedAvg``), same clients and split.

Both fedavg schemes (ckks, bfv-packed). Same non-IID digits split (4 owners, Dirichlet 0.5), same seeds,
same model and the same :class:`workers.flower_app.DatacapClient` training; the peer aggregates their
plaintext weights with flwr's FedAvg, ours runs the whole masked protocol off chain: every owner encrypts,
then masks its ciphertext (self-mask + a pairwise mask per other owner, fresh secrets per round; the share
bundles are dealt once per job and their cost is spread over the rounds), the aggregator sums the masked
ciphertexts (:class:`workers.flower_app.HEFedAvg`), and the trainer rebuilds every owner's self-mask seed
from t Shamir shares, removes the residual masks and decrypts the sum. Prints round time, accuracy and
their ratios, plus centralized training as the upper reference. Each is run ``--repeat`` times, interleaved; the fastest run is reported
(the accuracy is the same every time: same seeds).

    python bench/fedavg_round.py [--rounds 20] [--owners 4] [--repeat 5]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from flwr.common import Code, FitRes, Status, ndarrays_to_parameters, parameters_to_ndarrays
from flwr.server.strategy import FedAvg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from orchestrator import secagg  # noqa: E402
from orchestrator.training import masking  # noqa: E402
from workers import compute, data, flower_app, he, training  # noqa: E402

JOB = 1

SPEC = {"kind": "mlp", "hidden": [32], "features": 64, "classes": 10}
FIT = {"epochs": 2, "lr": 0.05, "batch": 32}


def clients_of(split):
    return [flower_app.DatacapClient(None, SPEC, X, y, seed=i) for i, (X, y) in enumerate(split.owners)]


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


class MaskedClient(flower_app.DatacapClient):
    """An owner that masks its encrypted update (in its own process) before the aggregator sees it."""

    def __init__(self, index, secrets, keys, public_ctx, spec, X, y, seed):
        super().__init__(public_ctx, spec, X, y, seed)
        self.index, self.secrets, self.keys = index, secrets, keys

    def fit(self, parameters, config):
        (blob,), n, metrics = super().fit(parameters, config)
        masked = masking.mask_update(self.public_ctx, flower_app.ndarray_to_blob(blob), JOB, int(config["round"]),
                                     self.index, self.secrets, sorted(self.keys), self.keys)
        return [flower_app.blob_to_ndarray(masked)], n, metrics


def run_encrypted(split, rounds, public_ctx, secret_ctx):
    """Per round: the owners' training, encryption and masks, the sum, the trainer's unmask and decryption."""
    cap = max(len(y) for _, y in split.owners)
    t0 = time.perf_counter()
    owners = [masking.OwnerSecrets(secagg.random_secret(), tuple(secagg.random_secret() for _ in range(rounds)),
                                   tuple(secagg.random_secret() for _ in range(rounds))) for _ in split.owners]
    keys = {}
    for i, s in enumerate(owners):
        enc, masks, seeds = s.commitment()
        keys[i] = masking.KeyRecord(i, f"0x{i + 1:040x}", enc, tuple(masks), tuple(seeds))
    members, threshold = sorted(keys), len(keys) // 2 + 1
    for i, s in enumerate(owners):  # the share bundles each owner deals once per job
        masking.make_bundle(JOB, keys[i], s, keys, threshold)
    xs = [secagg.share_x(i) for i in members]
    seed_shares = [{i: secagg.share_secret(s.seeds[r], xs, threshold) for i, s in enumerate(owners)}
                   for r in range(rounds)]  # what the members reveal after each aggregate (all included)
    state = {"round": 0}

    def unmask_and_apply(agg, g):
        r = state["round"] = state["round"] + 1
        seeds = {i: secagg.combine_shares(dict(list(sh.items())[:threshold])) for i, sh in seed_shares[r - 1].items()}
        publics = {i: keys[i].mask_pubs[r - 1] for i in members}
        rest = masking.over(he.mask_domain(public_ctx, agg), lambda count, modulus, stream: secagg.residual_mask(
            seeds, {}, publics, JOB, r, count, modulus, stream))
        return compute.apply_aggregate(secret_ctx, he.add_mask(public_ctx, agg, rest, subtract=True), g)

    strategy = flower_app.HEFedAvg(public_ctx, training.init_weights(SPEC, 0), unmask_and_apply,
                                   dict(FIT, weight_cap=cap))
    clients = [MaskedClient(i, owners[i], keys, public_ctx, SPEC, X, y, seed=i) for i, (X, y) in enumerate(split.owners)]
    w = flower_app.run_inprocess(strategy, clients, rounds)
    return (time.perf_counter() - t0) / rounds, training.evaluate(SPEC, w, split.X_test, split.y_test)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--owners", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=5, help="interleaved runs of each; the fastest is reported")
    a = ap.parse_args(argv)
    split = data.load_digits_split(a.owners, 0.5, 0)
    n = training.n_params(SPEC)
    keys = {s: he.generate_keys("fedavg", scheme=s, n_params=n, max_parties=max(8, a.owners))
            for s in he.FEDAVG_SCHEMES}
    run_flwr(split, 1)  # warm torch and the HE context caches
    for sk, pk in keys.values():
        run_encrypted(split, 1, pk, sk)
    runs = {"flwr": [], **{s: [] for s in keys}}
    for _ in range(a.repeat):  # interleaved, the fastest of each: the machine is shared, its load varies
        runs["flwr"].append(run_flwr(split, a.rounds))
        for scheme, (sk, pk) in keys.items():
            runs[scheme].append(run_encrypted(split, a.rounds, pk, sk))
    best = {k: (min(t for t, _ in v), v[0][1]) for k, v in runs.items()}
    t_plain, m_plain = best["flwr"]
    wc = training.train_centralized(SPEC, split.X_train, split.y_train, 10, 0.05, 32, 0)
    m_c = training.evaluate(SPEC, wc, split.X_test, split.y_test)
    print(f"digits, {a.owners} owners non-IID (Dirichlet 0.5), MLP {n} params, {a.rounds} rounds x 2 epochs")
    print(f"plaintext FedAvg (flwr.server.strategy.FedAvg): {t_plain * 1e3:7.1f} ms/round, "
          f"accuracy {m_plain['accuracy']:.4f}")
    for scheme in keys:
        t_enc, m_enc = best[scheme]
        print(f"encrypted, masked FedAvg {scheme:<10}           : {t_enc * 1e3:7.1f} ms/round, accuracy "
              f"{m_enc['accuracy']:.4f}  -> {t_enc / t_plain:.2f}x round time (target <= 1.5x), "
              f"{100 * (m_enc['accuracy'] - m_plain['accuracy']):+.2f} points (target within 0.5)")
    print(f"centralized (10 epochs)                        :                  accuracy {m_c['accuracy']:.4f}")


if __name__ == "__main__":
    main()
