"""Secure-aggregation cost per party, against the HE encryption of the same update measured in the same run.

For n = 4, 10 and 32 owners (one round, a tenth of them dropped, at least one): an owner's mask cost (its
self-mask and n-1 pairwise masks added to its ciphertext) and share cost (dealing Shamir shares of its two
secrets to n key holders, one box each, and the Merkle root of its share leaves); the trainer's unmask cost
(rebuilding each included owner's seed and each dropped owner's mask key from threshold shares, the residual
mask, and removing it from the aggregate). The peer is ``he.encrypt_update`` of the same update, the step the
owner runs anyway.

    python bench/secagg.py [--params 100000] [--scheme ckks]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from orchestrator import secagg
from orchestrator.training import masking
from workers import he

JOB, ROUND = 1, 1


def best(fn, repeat: int = 3) -> float:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--params", type=int, default=100_000)
    ap.add_argument("--scheme", default="ckks", choices=he.FEDAVG_SCHEMES)
    a = ap.parse_args()
    print(f"secure aggregation, {a.params:,} params, {a.scheme}; peer: he.encrypt_update of the same update")
    print(f"{'n':>3} {'encrypt (peer)':>15} {'owner mask':>11} {'owner shares':>13} {'owner total':>12} "
          f"{'trainer unmask':>15}")
    for n in (4, 10, 32):
        _, public = he.generate_keys("fedavg", scheme=a.scheme, n_params=a.params, max_parties=max(8, n))
        u = np.random.default_rng(0).normal(0, 0.05, a.params)
        blob = he.encrypt_update(public, u, 0.5, seed=0)
        t_enc = best(lambda: he.encrypt_update(public, u, 0.5, seed=0))
        owners = [masking.OwnerSecrets(secagg.random_secret(), (secagg.random_secret(),), (secagg.random_secret(),))
                  for _ in range(n)]
        keys = {}
        for i, s in enumerate(owners):
            enc, masks, seeds = s.commitment()
            keys[i] = masking.KeyRecord(i, f"0x{i + 1:040x}", enc, tuple(masks), tuple(seeds))
        members, threshold = list(range(n)), n // 2 + 1
        t_mask = best(lambda: masking.mask_update(public, blob, JOB, ROUND, 0, owners[0], members, keys))
        t_share = best(lambda: masking.make_bundle(JOB, keys[0], owners[0], keys, threshold))
        dropped = list(range(n - max(1, n // 10), n))
        included = [i for i in members if i not in dropped]
        xs = [secagg.share_x(i) for i in members]
        seed_shares = {i: secagg.share_secret(owners[i].seeds[0], xs, threshold) for i in included}
        key_shares = {d: secagg.share_secret(owners[d].masks[0], xs, threshold) for d in dropped}
        dom = he.mask_domain(public, blob)

        def unmask():
            seeds = {i: secagg.combine_shares(dict(list(sh.items())[:threshold])) for i, sh in seed_shares.items()}
            gone = {d: secagg.combine_shares(dict(list(sh.items())[:threshold])) for d, sh in key_shares.items()}
            rest = secagg.residual_mask(seeds, gone, {i: keys[i].mask_pubs[0] for i in included}, JOB, ROUND,
                                        dom.count, dom.modulus)
            he.add_mask(public, blob, rest, subtract=True)

        t_unmask = best(unmask, repeat=1 if n > 10 else 3)
        owner = t_mask + t_share
        print(f"{n:>3} {t_enc * 1e3:>12.1f} ms {t_mask * 1e3:>8.1f} ms {t_share * 1e3:>10.1f} ms "
              f"{owner * 1e3:>7.1f} ms ({owner / t_enc:.2f}x) {t_unmask * 1e3:>8.1f} ms ({t_unmask / t_enc:.2f}x)")


if __name__ == "__main__":
    main()
