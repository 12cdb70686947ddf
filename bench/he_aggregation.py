"""Homomorphic aggregation vs a numpy weighted sum of the same plaintext updates (DESIGN §8).

Prints, for both fedavg schemes (``ckks``, the default, and ``bfv-packed``) side by side, the
aggregation time and its ratio to numpy, ciphertext bytes per parameter against float32's 4 B, and
the precision lost; then TenSEAL used naively (CKKS N=8192, one value per slot, default-sized
chain, ciphertext x weight) as the reference point.

    python bench/he_aggregation.py [--cases 2410x4,100000x4,2000000x8] [--repeat 7]

numpy is the peer: on machines that set OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (which slow a current numpy),
run it as ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/he_aggregation.py``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from workers import he  # noqa: E402


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def naive_tenseal(updates, weights, repeat):
    import tenseal as ts
    ctx = ts.context(ts.SCHEME_TYPE.CKKS, 8192, coeff_mod_bit_sizes=[60, 40, 40, 60])
    ctx.global_scale = 2 ** 40
    slots = 4096
    blobs = [[ts.ckks_vector(ctx, (u[i:i + slots]).tolist()).serialize() for i in range(0, u.size, slots)]
             for u in updates]

    def agg():
        total = None
        for w, chunks in zip(weights, blobs):
            vecs = [ts.ckks_vector_from(ctx, c) * w for c in chunks]
            total = vecs if total is None else [a + b for a, b in zip(total, vecs)]
        return [v.serialize() for v in total]
    t = best(agg, max(1, repeat // 2))
    return t, sum(len(c) for c in blobs[0]) / updates[0].size


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="2410x4,100000x4,2000000x8",
                    help="comma-separated PARAMSxPARTIES (2410 = the digits MLP)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--naive-params", type=int, default=20_000, help="size for the naive run (slow)")
    a = ap.parse_args(argv)
    for case in a.cases.split(","):
        n, P = (int(x) for x in case.split("x"))
        run(n, P, a.repeat)
        print()
    nn, parties = a.naive_params, 4
    rng = np.random.default_rng(0)
    updates = [rng.normal(0, 0.05, nn).astype(np.float32) for _ in range(parties)]
    weights = list(rng.uniform(0.3, 1.0, parties))
    t_naive, bpp_naive = naive_tenseal(updates, weights, a.repeat)
    t_np_small = best(lambda: np_weighted_sum(updates, weights), a.repeat)
    print(f"naive TenSEAL ({nn} params x {parties}, CKKS N=8192, 1 value/slot, ciphertext x weight): "
          f"{t_naive / t_np_small:.0f}x numpy, {bpp_naive:.1f} B/param")


def np_weighted_sum(updates, weights):
    acc = np.zeros(updates[0].size, dtype=np.float32)
    for u, w in zip(updates, weights):
        acc += np.float32(w) * u
    return acc


def run(n, P, repeat):
    rng = np.random.default_rng(0)
    updates = [rng.normal(0, 0.05, n).astype(np.float32) for _ in range(P)]
    weights = list(rng.uniform(0.3, 1.0, P))
    t_np = best(lambda: np_weighted_sum(updates, weights), repeat)
    ref = sum(np.float64(w) * u.astype(np.float64) for u, w in zip(updates, weights)) / sum(weights)
    print(f"{n} parameters x {P} parties; numpy weighted sum {n * P / t_np:,.0f} params/s ({t_np * 1e3:.2f} ms)")
    print(f"  {'scheme':<11} {'context':<38} {'agg ms':>8} {'x numpy':>8} {'B/param':>8} "
          f"{'max|err|':>9} {'rms err':>9}")
    for scheme in he.FEDAVG_SCHEMES:
        sk, pk = he.generate_keys("fedavg", scheme=scheme, max_parties=max(8, P), n_params=n)
        p = he.load_public_context(pk).params
        blobs = [he.encrypt_update(pk, u, w, seed=i) for i, (u, w) in enumerate(zip(updates, weights))]
        he.aggregate(pk, blobs)  # warm the context cache
        t_he = best(lambda: he.aggregate(pk, blobs), repeat)
        err = np.abs(he.decrypt(sk, he.aggregate(pk, blobs), n) - ref)
        if scheme == "ckks":
            desc = f"N={p['n']} mod 2^32, 2/slot, scale 2^{p['scale_bits']}"
        else:
            desc = f"N={p['n']} t={p['plain_modulus'].bit_length()}b {p['quant_bits']}b-quant x{p['lanes']}/slot"
        print(f"  {scheme:<11} {desc:<38} {t_he * 1e3:8.2f} {t_he / t_np:7.2f}x {len(blobs[0]) / n:8.2f} "
              f"{err.max():9.2e} {np.sqrt(np.mean(err ** 2)):9.2e}")
    print("  targets (validation included; update std 5e-2): ckks <= 3x numpy at 100k x 4, <= 4x at 2M x 8, "
          "<= 8.2 B/param; bfv-packed <= 4x at 2M x 8")


if __name__ == "__main__":
    main()
