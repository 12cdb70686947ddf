"""Masks, shares, boxes and bundles without a chain: exact cancellation under real TenSEAL ciphertexts,
Shamir thresholds, tampered bundles and boxes, keys that do not match their commitment."""
import hashlib
import json

import numpy as np
import pytest

from orchestrator import secagg
from orchestrator.training import masking
from workers import he

JOB, ROUND = 9, 1


def _owners(n: int, rounds: int = 1):
    secrets = [masking.OwnerSecrets(secagg.random_secret(), tuple(secagg.random_secret() for _ in range(rounds)),
                                    tuple(secagg.random_secret() for _ in range(rounds))) for _ in range(n)]
    keys = {}
    for i, s in enumerate(secrets):
        enc, masks, seeds = s.commitment()
        keys[i] = masking.KeyRecord(i, f"0x{i + 1:040x}", enc, tuple(masks), tuple(seeds))
    return secrets, keys


@pytest.mark.parametrize("scheme", ["ckks", "bfv-packed", "stats"])
def test_masks_cancel_exactly_with_a_dropped_owner(scheme):
    rng = np.random.default_rng(1)
    updates = [rng.normal(0, 0.05, 3000) for _ in range(5)]
    if scheme == "stats":  # a TenSEAL CKKS vector: two RNS primes, one mask segment (and keystream) each
        secret, public = he.generate_keys("stats")
        blobs = [he.encrypt_values(public, u) for u in updates]
        read = he.decrypt_values
    else:
        secret, public = he.generate_keys("fedavg", scheme=scheme, n_params=3000, max_parties=8)
        blobs = [he.encrypt_update(public, u, 0.2 * (i + 1), seed=i) for i, u in enumerate(updates)]
        read = he.decrypt_sum
    secrets, keys = _owners(5)
    members = list(range(5))
    masked = [masking.mask_update(public, b, JOB, ROUND, i, secrets[i], members, keys) for i, b in enumerate(blobs)]
    included = [0, 1, 3, 4]  # 2 dropped after sharing its keys
    dom = he.mask_domain(public, blobs[0])
    rest = masking.over(dom, lambda count, modulus, stream: secagg.residual_mask(
        {i: secrets[i].seeds[0] for i in included}, {2: secrets[2].masks[0]},
        {i: keys[i].mask_pubs[0] for i in included}, JOB, ROUND, count, modulus, stream))
    unmasked = he.add_mask(public, he.aggregate(public, [masked[i] for i in included]), rest, subtract=True)
    want = read(secret, he.aggregate(public, [blobs[i] for i in included]))
    got = read(secret, unmasked)
    if scheme == "stats":
        assert np.array_equal(got, want)
    else:
        assert np.array_equal(got[0], want[0]) and got[1] == want[1]


def test_mask_segments_use_independent_keystreams():
    """One key, two segments of a domain: stream 1 is not stream 0 (a CKKS vector's RNS primes get independent
    masks, so the mask is uniform modulo their product)."""
    a, b = (secagg.keystream_mod(b"k" * 32, 1000, 2**40, stream) for stream in (0, 1))
    assert not np.array_equal(a, b) and np.array_equal(a, secagg.keystream_mod(b"k" * 32, 1000, 2**40))


def test_pairwise_masks_cancel_and_differ_per_round():
    secrets, keys = _owners(3, rounds=2)
    m = 2**32
    total = secagg.signed_sum(((secagg.pair_mask(secrets[i].masks[0], keys[j].mask_pubs[0], JOB, 1, i, j, 100, m),
                                False) for i in range(3) for j in range(3) if i != j), 100, m)
    assert not total.any()
    r1 = secagg.pair_mask(secrets[0].masks[0], keys[1].mask_pubs[0], JOB, 1, 0, 1, 100, m)
    r2 = secagg.pair_mask(secrets[0].masks[1], keys[1].mask_pubs[1], JOB, 2, 0, 1, 100, m)
    assert not np.array_equal(r1, r2)


def test_keystream_is_uniform_below_the_modulus():
    t = 68719464449  # bfv-packed's 36-bit plaintext prime
    v = secagg.keystream_mod(b"k" * 32, 200_000, t)
    assert v.max() < t and len(np.unique(v)) > 199_000
    hist = np.histogram(v.astype(np.float64), bins=16, range=(0, t))[0]
    assert np.abs(hist - 12_500).max() < 5 * np.sqrt(12_500)  # chi-square-ish: no bias toward low values


def test_shamir_needs_the_threshold():
    s = secagg.random_secret()
    shares = secagg.share_secret(s, [1, 2, 3, 4, 5], 3)
    assert secagg.combine_shares({x: shares[x] for x in (1, 3, 5)}) == s
    assert secagg.combine_shares({x: shares[x] for x in (2, 4, 5)}) == s
    try:  # two shares of a degree-2 polynomial give another field element (usually not even a 31-byte one)
        assert secagg.combine_shares({x: shares[x] for x in (1, 2)}) != s
    except secagg.SecAggError:
        pass


def _bundle(n=4, threshold=3):
    secrets, keys = _owners(n)
    bundle, root = masking.make_bundle(JOB, keys[0], secrets[0], keys, threshold)
    commitment = (hashlib.sha256(bundle).digest(), "bafkreibundle", root)
    return secrets, keys, bundle, commitment


def test_bundle_opens_for_each_recipient_and_proofs_check():
    secrets, keys, bundle, commitment = _bundle()
    for j in range(4):
        b = masking.open_bundle(JOB, bundle, commitment, keys[0], keys[j], secrets[j].enc)
        for kind in (secagg.MASK_KEY, secagg.SELF_SEED):
            leaf = secagg.share_leaf(JOB, keys[0].owner, ROUND, keys[j].owner, kind, b.shares[ROUND, kind])
            assert secagg.verify_proof(b.proof(ROUND, j, kind), commitment[2], leaf)
    shares = {secagg.share_x(j): masking.open_bundle(JOB, bundle, commitment, keys[0], keys[j], secrets[j].enc)
              .shares[ROUND, secagg.SELF_SEED] for j in (0, 2, 3)}
    assert secagg.combine_shares(shares) == secrets[0].seeds[0]


def test_attack_tampered_share_bundle_is_rejected():
    secrets, keys, bundle, commitment = _bundle()
    flipped = bytearray(bundle)
    flipped[len(flipped) // 2] ^= 1
    with pytest.raises(masking.BundleRejected, match="on-chain hash"):
        masking.open_bundle(JOB, bytes(flipped), commitment, keys[0], keys[1], secrets[1].enc)
    # a dealer whose box does not hold the committed shares (consistent hash and root, wrong box)
    doc = json.loads(bundle)
    doc["boxes"]["1"] = doc["boxes"]["2"]
    forged = json.dumps(doc).encode()
    forged_commitment = (hashlib.sha256(forged).digest(), "cid", commitment[2])
    with pytest.raises(secagg.SecAggError, match="does not open"):
        masking.open_bundle(JOB, forged, forged_commitment, keys[0], keys[1], secrets[1].enc)


def test_attack_wrong_key_commitment_is_detected_at_reconstruction():
    """A dealer that commits a mask key other than the one it shares cannot pass its shares off as that key."""
    secrets, keys = _owners(3)
    other = secagg.random_secret()
    shares = secagg.share_secret(other, [1, 2, 3], 2)  # shares of a secret that is not the committed key
    with pytest.raises(masking.SharesMissing, match="do not rebuild the committed key"):
        masking._rebuild(shares, 2, lambda x: secagg.public_bytes(x) == keys[0].mask_pubs[0], "mask key of 0")
    with pytest.raises(masking.SharesMissing, match="1 share"):
        masking._rebuild({1: shares[1]}, 2, lambda x: True, "seed of 0")


def test_low_order_public_key_is_refused():
    with pytest.raises(secagg.SecAggError, match="low-order"):
        secagg.pair_mask(secagg.random_secret(), b"\x00" * 32, JOB, ROUND, 0, 1, 4, 2**32)


@pytest.mark.parametrize("modulus", [2**32, 2**64, 68719464449, 2**62 + 1, 2**63 + 29])
def test_signed_sum_is_exact_for_any_modulus(modulus):
    """The lazily reduced sum equals Python's exact integer sum, past the point where it must reduce and with
    the largest entries (the power-of-two path wraps, the others never overflow uint64)."""
    rng = np.random.default_rng(3)
    terms = []
    for k in range(40):
        v = (rng.integers(0, 2**63, 50, dtype=np.uint64) * np.uint64(2) + np.uint64(k % 2)) % np.uint64(
            modulus % 2**64) if modulus < 2**64 else rng.integers(0, 2**64 - 1, 50, dtype=np.uint64, endpoint=True)
        v[:3] = [0, 1, modulus - 1]
        terms.append((v, k % 3 == 0))
    want = [sum(-int(v[i]) if neg else int(v[i]) for v, neg in terms) % modulus for i in range(50)]
    assert secagg.signed_sum(iter(terms), 50, modulus).tolist() == want
