import hashlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from workers import he
from workers.he import bfv_packed, ckks_fedavg, envelope, seal_io


def _updates(n, k, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 0.1, n) for _ in range(k)], list(rng.uniform(0.2, 1.0, k))


def test_roundtrip_precision_within_quantization_step(any_fedavg_keys):
    sk, pk = any_fedavg_keys
    ups, ws = _updates(10_000, 4)
    agg = he.aggregate(pk, [he.encrypt_update(pk, u, w, seed=i) for i, (u, w) in enumerate(zip(ups, ws))])
    got = he.decrypt(sk, agg, 10_000)
    ref = sum(w * u for u, w in zip(ups, ws)) / sum(ws)
    step = 1.0 / (2 ** 11 - 1)  # clip / qmax for the default 12-bit context
    assert np.abs(got - ref).max() < 2 * step
    assert np.sqrt(np.mean((got - ref) ** 2)) < step / 2


def test_single_update_roundtrip_and_sum(any_fedavg_keys):
    sk, pk = any_fedavg_keys
    v = np.linspace(-0.9, 0.9, 5000)
    blob = he.encrypt_update(pk, v, 1.0, seed=0)
    s, w = he.decrypt_sum(sk, blob, 5000)
    assert w == pytest.approx(1.0, abs=1e-3)  # exact for bfv-packed, ~1e-4 for ckks
    assert np.abs(s - v).max() < 1.0 / 2047


def test_max_parties_sum_does_not_overflow_lanes(any_fedavg_keys):
    sk, pk = any_fedavg_keys
    hc = he.load_public_context(pk)
    P = hc.params["max_parties"]
    v = np.full(3000, 1.0)  # worst case: every value at +clip, full weight
    blobs = [he.encrypt_update(pk, v, 1.0, seed=i) for i in range(P)]
    s, w = he.decrypt_sum(sk, he.aggregate(pk, blobs), 3000)
    assert w == pytest.approx(P, abs=1e-3)
    assert np.allclose(s, P * 1.0, atol=1e-3)
    with pytest.raises(he.CiphertextRejected, match="allows"):
        he.aggregate(pk, blobs + blobs[:1])


def test_aggregation_is_byte_identical_across_runs_and_processes(any_fedavg_keys, tmp_path):
    _, pk = any_fedavg_keys
    ups, ws = _updates(7000, 3, seed=1)
    blobs = [he.encrypt_update(pk, u, w) for u, w in zip(ups, ws)]
    a1, a2 = he.aggregate(pk, blobs), he.aggregate(pk, list(blobs))
    assert a1 == a2
    (tmp_path / "pk").write_bytes(pk)
    for i, b in enumerate(blobs):
        (tmp_path / f"b{i}").write_bytes(b)
    code = textwrap.dedent(f"""
        import hashlib, pathlib
        from workers import he
        d = pathlib.Path({str(tmp_path)!r})
        blobs = [(d / f"b{{i}}").read_bytes() for i in range(3)]
        print(hashlib.sha256(he.aggregate((d / "pk").read_bytes(), blobs)).hexdigest())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == hashlib.sha256(a1).hexdigest()


def test_ckks_stats_aggregation_is_deterministic():
    sk, pk = he.generate_keys("stats")
    blobs = [he.encrypt_values(pk, np.arange(5.0) * (i + 1)) for i in range(3)]
    a1, a2 = he.aggregate(pk, blobs), he.aggregate(pk, blobs)
    assert a1 == a2
    assert np.allclose(he.decrypt(sk, a1, 5), np.arange(5.0) * 6, atol=1e-6)


def test_tampered_blob_is_rejected(any_fedavg_keys):
    _, pk = any_fedavg_keys
    blob = bytearray(he.encrypt_update(pk, np.zeros(100), 1.0))
    blob[len(blob) // 2] ^= 0x01
    with pytest.raises(he.CiphertextRejected, match="garbled"):
        he.validate_ciphertext(pk, bytes(blob))
    with pytest.raises(he.CiphertextRejected, match="blob 1"):
        he.aggregate(pk, [he.encrypt_update(pk, np.zeros(100), 1.0), bytes(blob)])
    with pytest.raises(he.CiphertextRejected, match="magic"):
        he.validate_ciphertext(pk, b"X" * 200)
    with pytest.raises(he.CiphertextRejected, match="too short"):
        he.validate_ciphertext(pk, b"DCHE")


def test_out_of_range_coefficients_are_rejected_even_with_valid_checksum(fedavg_keys):
    """bfv-packed stores residues mod q < 2^60; (in the ckks 2^32 format every word is a valid residue)."""
    _, pk = fedavg_keys
    blob = bytearray(he.encrypt_update(pk, np.zeros(100), 1.0))
    size = envelope.BLOB_HEAD.size
    blob[size:size + 8] = b"\xff" * 8  # a coefficient >= q
    with pytest.raises(he.CiphertextRejected, match="out of range"):
        he.validate_ciphertext(pk, envelope.with_header(bytes(blob), blob[size:]))


def test_wrong_context_and_wrong_length_are_rejected(any_fedavg_keys):
    _, pk = any_fedavg_keys
    _, other_pk = he.generate_keys("fedavg", scheme=he.load_public_context(pk).scheme)
    blob = he.encrypt_update(pk, np.zeros(100), 1.0)
    he.validate_ciphertext(pk, blob, 100)
    with pytest.raises(he.CiphertextRejected, match="wrong public context"):
        he.validate_ciphertext(other_pk, blob)
    with pytest.raises(he.CiphertextRejected, match="expected 99"):
        he.validate_ciphertext(pk, blob, 99)
    with pytest.raises(he.CiphertextRejected, match="expected 100"):
        he.aggregate(pk, [blob, he.encrypt_update(pk, np.zeros(101), 1.0)])


def test_secret_context_published_as_public_is_rejected(any_fedavg_keys):
    sk, pk = any_fedavg_keys
    with pytest.raises(he.ContextRejected, match="secret key"):
        he.load_public_context(sk)
    with pytest.raises(he.ContextRejected, match="secret key"):
        he.encrypt_update(sk, np.zeros(10), 1.0)
    # a public envelope that smuggles the secret-key section is rejected too
    params, _, sections = envelope.open_context(sk)
    params.pop("public_fingerprint")
    smuggled = envelope.pack_context(params, False, sections)
    with pytest.raises(he.ContextRejected, match="secret key"):
        he.load_public_context(smuggled)
    with pytest.raises(he.ContextRejected):
        he.load_public_context(b"garbage")
    with pytest.raises(he.ContextRejected, match="secret context is required"):
        he.decrypt(pk, he.encrypt_update(pk, np.zeros(10), 1.0), 10)


def test_public_context_holds_no_secret_key_for_ckks_modes():
    sk, pk = he.generate_keys("stats")
    assert not he.load_public_context(pk).ts_ctx.is_private()
    assert he.load_secret_context(sk).ts_ctx.is_private()
    with pytest.raises(he.ContextRejected, match="secret key"):
        he.load_public_context(sk)


def test_bad_inputs_raise_typed_errors(any_fedavg_keys):
    _, pk = any_fedavg_keys
    with pytest.raises(he.HEError, match="weight"):
        he.encrypt_update(pk, np.zeros(3), 1.5)
    with pytest.raises(he.HEError, match="NaN"):
        he.encrypt_update(pk, np.array([np.nan]), 1.0)
    with pytest.raises(he.HEError, match="unknown mode"):
        he.generate_keys("nope")


def test_ciphertext_size_per_parameter(fedavg_keys):
    _, pk = fedavg_keys
    hc = he.load_public_context(pk)
    n = hc.per_ciphertext * 4
    blob = he.encrypt_update(pk, np.zeros(n - 1), 1.0)  # + the weight value fills 4 ciphertexts
    assert len(blob) / n <= 16


def test_small_models_get_half_size_ciphertexts_and_stay_exact():
    sk, pk = he.generate_keys("fedavg", scheme="bfv-packed", n_params=2410, max_parties=8)
    assert he.load_public_context(pk).params["n"] == 2048
    v = np.full(2410, -1.0)  # worst case at -clip for every party
    blobs = [he.encrypt_update(pk, v, 1.0, seed=i) for i in range(8)]
    assert len(blobs[0]) / 2410 <= 16
    s, w = he.decrypt_sum(sk, he.aggregate(pk, blobs), 2410)
    assert w == pytest.approx(8) and np.allclose(s, -8.0)


def test_ckks_is_the_default_fedavg_scheme_and_is_named_in_context_and_blobs(ckks_fedavg_keys, fedavg_keys):
    sk, pk = ckks_fedavg_keys
    hc = he.load_public_context(pk)
    assert hc.scheme == "ckks" and he.DEFAULT_FEDAVG_SCHEME == "ckks"
    # depth 0: one data prime (60-bit at N=4096) plus the special prime; two reals per complex slot
    assert hc.params["coeff"] == [60, 49] and hc.slots == 2048 and hc.per_ciphertext == 4096
    params, has_secret, sections = envelope.open_context(pk)
    assert not has_secret and len(sections) == 2  # parameters + public key: no relin/Galois keys
    assert he.load_secret_context(sk).fingerprint == hc.fingerprint
    blob = he.encrypt_update(pk, np.zeros(10), 1.0)
    assert he.read_header(blob).scheme == "ckks"
    bfv_blob = he.encrypt_update(fedavg_keys[1], np.zeros(10), 1.0)
    assert he.read_header(bfv_blob).scheme == "bfv-packed"
    with pytest.raises(he.CiphertextRejected, match="wrong public context"):
        he.validate_ciphertext(pk, bfv_blob)
    # a header whose scheme byte was changed is rejected even under the right fingerprint
    forged = bytearray(blob)
    forged[6] = 1  # the scheme id (little-endian u16 at offset 6)
    with pytest.raises(he.CiphertextRejected, match="bfv-packed"):
        he.validate_ciphertext(pk, bytes(forged))
    with pytest.raises(he.HEError, match="unknown fedavg scheme"):
        he.generate_keys("fedavg", scheme="paillier")
    with pytest.raises(he.HEError, match="quant_bits"):
        he.generate_keys("fedavg", scheme="ckks", quant_bits=8)


def test_ckks_format_is_8_bytes_per_value_and_sums_as_uint32(ckks_fedavg_keys):
    """The 2^32 format: c0 || c1 per ciphertext as uint32; the aggregate is their wrapping sum."""
    sk, pk = ckks_fedavg_keys
    hc = he.load_public_context(pk)
    n = hc.per_ciphertext * 4
    blob = he.encrypt_update(pk, np.zeros(n - 1), 1.0)  # + the weight value fills 4 ciphertexts
    assert len(blob) - envelope.BLOB_HEAD.size == n * 8
    ups, ws = _updates(3000, 3)
    blobs = [he.encrypt_update(pk, u, w) for u, w in zip(ups, ws)]
    words = [np.frombuffer(b[envelope.BLOB_HEAD.size:], dtype="<u4") for b in blobs]
    agg = he.aggregate(pk, blobs)
    assert np.array_equal(np.frombuffer(agg[envelope.BLOB_HEAD.size:], dtype="<u4"),
                          (sum(w.astype(np.uint64) for w in words) % (1 << 32)).astype(np.uint32))


@pytest.mark.parametrize("poly_degree", [2048, 4096])
def test_ckks_modulus_switch_is_exact_rounding_both_ways(poly_degree):
    """The switches q <-> 2^32 are the exact integer roundings (checked against Python integers), for the 32-bit
    and the 60-bit q, so every host computes the same words."""
    q = ckks_fedavg._primes(poly_degree)[0]
    rng = np.random.default_rng(5)
    c = np.concatenate([rng.integers(0, q, 20000, dtype=np.uint64),
                        np.array([0, 1, q // 2, q // 2 + 1, q - 1], dtype=np.uint64)])
    w = ckks_fedavg.to_word(c, q)
    assert w.dtype == np.uint32
    assert w.tolist() == [((int(x) << 32) + q // 2) // q % 2**32 for x in c]
    words = np.concatenate([rng.integers(0, 2**32, 20000, dtype=np.uint64),
                            np.array([0, 1, 2**31, 2**32 - 1], dtype=np.uint64)])
    back = ckks_fedavg.from_word(words, q)
    assert np.all(back < q) and back.tolist() == [(int(x) * q + 2**31) >> 32 for x in words]


@pytest.mark.parametrize("poly_degree", [2048, 4096])
def test_ckks_owner_encoding_is_seals_encoding(poly_degree):
    """The owner's numpy encoding (added to c0 out of NTT form) is the plaintext SEAL's CKKSEncoder makes, integer
    for integer: SEAL's own add_plain of its encoding to an encryption of zero moves c0 by exactly it."""
    import tenseal.sealapi as seal

    hc = he.load_public_context(he.generate_keys("fedavg", poly_degree=poly_degree)[1])
    n, q, scale = hc.params["n"], hc._cache["q"], 2.0 ** hc.params["scale_bits"]
    ev, encoder = hc.impl._tools(hc)
    row = np.random.default_rng(7).uniform(-1, 1, n)
    row[:2] = [1.0, -1.0]  # the clip bound
    pt = seal.Plaintext()
    encoder.encode((row[0::2] + 1j * row[1::2]).tolist(), scale, pt)
    ct, before = seal.Ciphertext(), seal.Ciphertext()
    seal.Encryptor(hc.seal_ctx, hc.public_key).encrypt_zero(ct)
    ct.scale = scale
    ev.transform_from_ntt(ct, before)
    ev.add_plain_inplace(ct, pt)
    ev.transform_from_ntt_inplace(ct)
    after, start = (seal_io.coefficients(c, n)[:n].astype(np.int64) for c in (ct, before))  # exact below 2^63
    moved = (after - start) % q
    assert np.array_equal(moved, ckks_fedavg.encode(row, scale) % q)


@pytest.mark.parametrize("poly_degree", [2048, 4096])
def test_ckks_owner_encryption_of_zero_is_seals_ckks_encryption(poly_degree):
    """The owner's encryption of zero (SEAL's BFV encryptor on the re-tagged CKKS public key, coefficient form) is,
    with the same randomness, bit for bit SEAL's CKKS encryption of zero taken out of NTT form."""
    import tenseal.sealapi as seal

    hc = he.load_public_context(he.generate_keys("fedavg", poly_degree=poly_degree)[1])
    n, seed = hc.params["n"], [11, 12, 13, 14, 15, 16, 17, 18]
    parms = seal.EncryptionParameters(seal.SCHEME_TYPE.CKKS)
    parms.set_poly_modulus_degree(n)
    parms.set_coeff_modulus(hc.seal_ctx.key_context_data().parms().coeff_modulus())
    parms.set_random_generator(seal.Blake2xbPRNGFactory(seed))
    ckks = seal.SEALContext(parms, True, seal.SEC_LEVEL_TYPE.TC128)
    theirs, ours = seal.Ciphertext(), seal.Ciphertext()
    seal.Encryptor(ckks, seal_io.load(seal.PublicKey(), ckks, seal_io.save(hc.public_key))).encrypt_zero(theirs)
    seal.Evaluator(ckks).transform_from_ntt_inplace(theirs)
    ckks_fedavg.zero_encryptor(hc.seal_ctx, hc.public_key, seal.Blake2xbPRNGFactory(seed))[1].encrypt_zero(ours)
    assert not ours.is_ntt_form()
    assert np.array_equal(seal_io.coefficients(ours, n), seal_io.coefficients(theirs, n))


def _secret_at_slots(sk: bytes) -> np.ndarray:
    """|s(zeta_j)| of the secret key at each slot's root: SEAL's decryption of (c0, c1) = (0, 1) is s itself."""
    hc = he.load_secret_context(sk)
    coeffs = np.zeros(2 * hc.params["n"], dtype=np.uint64)
    coeffs[hc.params["n"]] = 1
    return np.abs(hc.impl.decrypt_coefficients(hc, coeffs, 1.0))


@pytest.mark.parametrize("n_params", [3000, 9000])
def test_ckks_precision_bound_at_max_parties_with_values_at_the_clip_bound(n_params):
    """Every party at +-clip with full weight (the largest coefficients the format can see): no
    wrap-around mod 2^32, and the error stays within the documented bound (ckks_fedavg.error_std)."""
    sk, pk = he.generate_keys("fedavg", n_params=n_params)
    p = he.load_public_context(pk).params
    P, n = p["max_parties"], p["n"]
    assert ckks_fedavg.headroom(n, p["scale_bits"], P, p["clip"]) < 2 ** 31
    rng = np.random.default_rng(3)
    patterns = [np.full(n_params, 1.0), np.full(n_params, -1.0), rng.choice([-1.0, 1.0], n_params)]
    # given the key, each value's error is Gaussian with its slot's standard deviation: 7 of them are
    # exceeded with probability 3e-12
    slot = np.arange(n_params + 1) % n // 2
    bound = 7 * ckks_fedavg.error_std(n, p["scale_bits"], P, _secret_at_slots(sk)[slot] ** 2)
    for v in patterns:
        s, w = he.decrypt_sum(sk, he.aggregate(pk, [he.encrypt_update(pk, v * p["clip"], 1.0)
                                                    for _ in range(P)]), n_params)
        assert abs(w - P) < bound[-1]
        assert np.all(np.abs(s - P * v * p["clip"]) < bound[:-1])


def test_ckks_error_std_is_the_mean_over_slots_of_the_secret_keys_spectrum():
    sk, _ = he.generate_keys("fedavg", n_params=3000)
    n = he.load_secret_context(sk).params["n"]
    power = _secret_at_slots(sk) ** 2
    assert abs(power.mean() / (2 * n / 3) - 1) < 0.1  # ||s||^2 of a ternary secret: error_std's default


def test_ckks_parameters_refuse_a_scale_that_can_wrap():
    _, pk = he.generate_keys("fedavg", n_params=2410)
    assert he.load_public_context(pk).params["n"] == 4096  # 1 x 4096 values ties 2 x 2048: larger N
    _, pk = he.generate_keys("fedavg", max_parties=256)
    p = he.load_public_context(pk).params
    assert ckks_fedavg.headroom(p["n"], p["scale_bits"], 256, 1.0) < 2 ** 31 < \
        ckks_fedavg.headroom(p["n"], p["scale_bits"] + 1, 256, 1.0)
    with pytest.raises(he.HEError, match="can wrap"):
        he.generate_keys("fedavg", max_parties=256, scale_bits=p["scale_bits"] + 1)


@pytest.mark.parametrize("scheme", ["ckks", "bfv-packed"])
def test_masks_summing_to_zero_cancel_exactly_and_hide_each_update(scheme, ckks_fedavg_keys, fedavg_keys):
    """The secure-aggregation boundary: add_mask in mask_domain; the masked aggregate is byte-identical."""
    sk, pk = ckks_fedavg_keys if scheme == "ckks" else fedavg_keys
    ups, ws = _updates(5000, 3, seed=4)
    blobs = [he.encrypt_update(pk, u, w, seed=i) for i, (u, w) in enumerate(zip(ups, ws))]
    dom = he.mask_domain(pk, blobs[0])
    rng = np.random.default_rng(5)
    m0, m1 = (rng.integers(0, dom.modulus, dom.count, dtype=np.uint64) for _ in range(2))
    m2 = ((m0.astype(object) + m1) % dom.modulus).astype(np.uint64)  # owner 2 subtracts what 0 and 1 added
    masked = [he.add_mask(pk, b, m, subtract=(i == 2)) for i, (b, m) in enumerate(zip(blobs, (m0, m1, m2)))]
    assert he.validate_ciphertext(pk, masked[0], 5000, n_parties=1)
    if scheme == "ckks":  # mod 2^32 the masked words sum to the same aggregate, byte for byte
        assert he.aggregate(pk, masked) == he.aggregate(pk, blobs)
    assert np.allclose(he.decrypt(sk, he.aggregate(pk, masked), 5000),
                       he.decrypt(sk, he.aggregate(pk, blobs), 5000), atol=1e-9)
    try:
        alone = he.decrypt_sum(sk, masked[0], 5000)[0]
        assert abs(np.corrcoef(alone, ups[0])[0, 1]) < 0.1
    except he.HEError:  # bfv-packed: masked slots do not even unpack into lanes
        assert scheme == "bfv-packed"
    with pytest.raises(he.HEError, match="mask must be"):
        he.add_mask(pk, blobs[0], m0[:-1])


@pytest.mark.parametrize("poly_degree", [2048, 4096])
def test_bfv_mask_scaling_is_exact_round_of_q_times_x_over_t(poly_degree):
    """add_mask's round(q * x / t) in uint64 equals the exact integer formula for every mask value, including
    0, 1, t // 2 and t - 1 (the largest numerator)."""
    hc = he.load_public_context(he.generate_keys("fedavg", scheme="bfv-packed", poly_degree=poly_degree)[1])
    q, t = hc._cache["q"], hc.params["plain_modulus"]
    x = np.random.default_rng(6).integers(0, t, 100_000, dtype=np.uint64)
    x[:4] = [0, 1, t // 2, t - 1]
    want = [(int(v) * q + t // 2) // t % q for v in x]
    assert bfv_packed.scale_to_q(x, q, t).tolist() == want


@pytest.mark.parametrize("mode", ["stats", "encrypted-model"])
def test_vector_masks_mod_each_rns_prime_cancel_exactly_and_hide_each_update(mode):
    """TenSEAL CKKS vectors: one mask segment per RNS prime of the ciphertext's level, added to c0 mod q_j; masks
    summing to zero give the bit-identical aggregate, and one masked update decrypts to noise."""
    from workers import encrypted_lr

    sk, pk = he.generate_keys(mode)
    rng = np.random.default_rng(6)
    if mode == "stats":
        blobs = [he.encrypt_values(pk, rng.normal(0, 1, 5000)) for _ in range(3)]
    else:  # a gradient two levels down, as owners return it
        w = encrypted_lr.encrypt_weights(pk, rng.normal(0, 0.1, 4))
        blobs = [encrypted_lr.encrypted_gradient(pk, w, encrypted_lr.add_bias(rng.normal(size=(20, 3))),
                                                 rng.integers(0, 2, 20), 0.05) for _ in range(3)]
    dom = he.mask_domain(pk, blobs[0])
    primes = he.load_public_context(pk)._cache["primes"]
    assert {q for _, q in dom.segments} <= set(primes[:-1]) and all(c == 8192 for c, _ in dom.segments)
    m0, m1 = ([rng.integers(0, q, c, dtype=np.uint64) for c, q in dom.segments] for _ in range(2))
    m2 = [((a.astype(object) + b) % q).astype(np.uint64) for a, b, (_, q) in zip(m0, m1, dom.segments)]
    masked = [he.add_mask(pk, b, np.concatenate(m), subtract=(i == 2)) for i, (b, m) in enumerate(zip(blobs, (m0, m1, m2)))]
    assert he.validate_ciphertext(pk, masked[0], n_parties=1)
    assert np.array_equal(he.decrypt_values(sk, he.aggregate(pk, masked)), he.decrypt_values(sk, he.aggregate(pk, blobs)))
    alone, truth = he.decrypt_values(sk, masked[0]), he.decrypt_values(sk, blobs[0])
    assert np.min(np.abs(alone - truth)) > 1e6 * np.max(np.abs(truth))  # far outside any value range
    if mode == "stats":
        assert abs(np.corrcoef(alone, truth)[0, 1]) < 0.1
    with pytest.raises(he.HEError, match="must be below"):
        he.add_mask(pk, blobs[0], np.full(dom.count, primes[0], dtype=np.uint64))


def test_tenseal_ckks_serialize_is_byte_stable():
    """Stats/encrypted-model blobs go through TenSEAL's serialize(): same vector, same bytes."""
    sk, pk = he.generate_keys("stats")
    blobs = [he.encrypt_values(pk, np.arange(5.0) + i) for i in range(2)]
    hc = he.load_public_context(pk)
    vecs = he.ckks_vectors(hc, blobs[0])
    assert he.pack_ckks(hc, vecs, 5) == blobs[0]


def forge_parties(blob: bytes, n_parties: int) -> bytes:
    """The same ciphertext with its header's party count (u32 at offset 16) rewritten."""
    b = bytearray(blob)
    b[16:20] = n_parties.to_bytes(4, "little")
    return bytes(b)


def test_a_forged_party_count_passes_alone_but_not_as_an_owner_update(any_fedavg_keys):
    _, pk = any_fedavg_keys
    limit = he.load_public_context(pk).params["max_parties"]
    honest = he.encrypt_update(pk, np.zeros(10), 1.0, seed=1)
    forged = forge_parties(he.encrypt_update(pk, np.zeros(10), 1.0, seed=2), limit)
    assert he.validate_ciphertext(pk, forged).n_parties == limit  # within the limit on its own
    with pytest.raises(he.CiphertextRejected, match="parties"):
        he.aggregate(pk, [honest, forged])  # the sum exceeds it
    assert he.validate_ciphertext(pk, honest, n_parties=1).n_parties == 1
    with pytest.raises(he.CiphertextRejected, match=f"claims {limit} parties, expected 1"):
        he.validate_ciphertext(pk, forged, n_parties=1)
