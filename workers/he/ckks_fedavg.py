"""fedavg ``ckks``: CKKS at depth 0, stored and summed as polynomials mod 2^32.

The owner encrypts zero under the public key with SEAL (one data prime q plus a special prime that only
shrinks fresh noise; :func:`zero_encryptor`: out of NTT form), switches the modulus from q to 2^32:
``c' = round(c * 2^32 / q) mod 2^32`` coefficient-wise -- public and deterministic (no key, no randomness)
-- and adds to c0' its update encoded at scale ``2^scale_bits`` in that domain, two reals per complex slot
(``x[2j] + i*x[2j+1]``: N values per ciphertext; :func:`encode`, SEAL's CKKS encoding in numpy). The payload
is ``c0' || c1'`` per ciphertext as little-endian uint32 (8 B per value: half of the mod-q NTT format), and
the aggregate is a plain uint32 addition with wrap-around -- numpy at memory speed, byte-identical on every
host. The trainer switches back (``round(c' * q / 2^32)``: the plaintext is then at scale
``2^scale_bits * q / 2^32``), returns to NTT form and decrypts with SEAL.

Precision bound (``headroom``): with P parties, each value in ``[-clip, clip]`` times a weight <= 1, a
slot holds ``|z| <= sqrt(2) * P * clip``, and every coefficient of the encoded sum is at most
``2^scale_bits * sqrt(2) * P * clip``. Each party adds at most ``N + 2`` of noise per coefficient (the
rounding of the switch, ``<= (1 + ||s||_1) / 2`` with a ternary secret, plus the fresh encryption's after
the special prime, as much in the q domain and ``2^32 / q`` of it here), the switch back once more. The
parameters are accepted only if the sum of both stays below 2^31: then nothing wraps mod 2^32 for any
inputs within the clip bound, and the error per value has standard deviation about
``sqrt((P (1 + r) + r) * (1 + 2N/3) / 24 * N) / 2^scale_bits`` with ``r = (2^32 / q)^2`` (:func:`error_std`;
8 parties, scale 2^27: 1.44e-5 at N=4096, whose 60-bit q leaves only the switch's rounding, 2.1e-5 with a
32-bit q; 1.05e-5 at N=2048; measured the same). That is the mean over slots: the rounding errors reach
slot j through the secret key's value there, so its error has ``|s(zeta_j)|^2`` in place of the mean
``||s||^2 ~ 2N/3`` -- up to 7-10x the mean for a given key, hence errors of 8-9 mean standard deviations
among 100k values -- and is Gaussian given the key (at most 4.4 of its own standard deviations there).
"""
from __future__ import annotations

import functools
import math

import numpy as np
import tenseal.sealapi as seal

from . import seal_io
from .errors import CiphertextRejected, ContextRejected, HEError
from .scheme import HEContext, MaskDomain, Scheme

WORD_BITS = 32
WORD = 1 << WORD_BITS
#: poly degree -> bits of (data prime q, special prime), all that 128-bit security allows (SEAL's table). At
#: N=4096 a 60-bit q makes SEAL's saved coefficients near-random 64-bit words, which its zstd passes through
#: (twice as fast as 32-bit ones, hence the owner's encryption), and its noise vanishes in the switch to 2^32;
#: N=2048's budget keeps a 32-bit q.
PRIMES = {4096: (60, 49), 2048: (32, 22)}


@functools.lru_cache(maxsize=None)
def _primes(n: int) -> tuple[int, int]:
    return tuple(m.value() for m in seal.CoeffModulus.Create(n, list(PRIMES[n])))


def headroom(n: int, scale_bits: int, max_parties: int, clip: float) -> float:
    """The largest coefficient magnitude an aggregate of ``max_parties`` updates can reach mod 2^32."""
    message = 2.0 ** scale_bits * math.sqrt(2) * max_parties * clip
    noise = (max_parties + 1) * (n + 2)
    return message + noise


def error_std(n: int, scale_bits: int, parties: int, secret_power=None) -> float | np.ndarray:
    """Standard deviation of the decrypted error per value of a sum of ``parties`` updates, at a slot where the
    secret key's squared magnitude ``|s(zeta_j)|^2`` is ``secret_power`` (scalar or array; default its mean
    over slots, ``||s||^2``, about 2N/3 for a ternary secret)."""
    # per party the rounding of the switch to 2^32 and, scaled by 2^32 / q, that of dropping the special
    # prime; once more so scaled, the switch back: each N uniform roundings on c0 and, through s, on c1
    r = (WORD / _primes(n)[0]) ** 2
    power = 2 * n / 3 if secret_power is None else secret_power
    return np.sqrt((parties * (1 + r) + r) * (1 + power) / 24 * n) / 2.0 ** scale_bits


class CkksFedAvg(Scheme):
    name = "ckks"
    linear = True
    word_bytes = 4
    OPTIONS = ("scale_bits", "max_parties", "clip", "poly_degree")

    def make_params(self, mode, n_params, options):
        bad = sorted(set(options) - set(self.OPTIONS))
        if bad:
            raise HEError(f"fedavg scheme 'ckks' does not take {bad}")
        if n_params is None or "poly_degree" in options:
            return self._params(**options)
        return self.smallest(PRIMES, n_params, options, self._params)

    def expected_params(self, params):
        return self._params(params["scale_bits"], params["max_parties"], params["clip"], params["n"])

    @staticmethod
    def _params(scale_bits: int | None = None, max_parties: int = 8, clip: float = 1.0,
                poly_degree: int = 4096) -> dict:
        if poly_degree not in PRIMES:
            raise HEError(f"poly_degree must be one of {sorted(PRIMES)}, got {poly_degree}")
        if not 1 <= max_parties <= 4096:
            raise HEError(f"max_parties must be in [1, 4096], got {max_parties}")
        if not clip > 0:
            raise HEError(f"clip must be positive, got {clip}")
        fits = [s for s in range(16, 31) if headroom(poly_degree, s, max_parties, clip) < WORD // 2]
        if scale_bits is None:
            if not fits:
                raise HEError(f"{max_parties} parties x clip {clip} leave no room for a 2^16 scale mod 2^32")
            scale_bits = fits[-1]
        if not 16 <= scale_bits <= 30:
            raise HEError(f"scale_bits must be in [16, 30], got {scale_bits}")
        if scale_bits not in fits:
            raise HEError(f"scale 2^{scale_bits} with {max_parties} parties x clip {clip} can wrap mod 2^32 "
                          f"(at most 2^{fits[-1] if fits else 'none'})")
        return {"mode": "fedavg", "scheme": "ckks", "n": poly_degree, "coeff": list(PRIMES[poly_degree]),
                "scale_bits": scale_bits, "max_parties": max_parties, "clip": float(clip)}

    def keygen(self, params):
        return keygen_seal(params, seal.SCHEME_TYPE.CKKS)

    def load(self, hc, sections):
        load_seal(hc, sections, seal.SCHEME_TYPE.CKKS)

    def slots(self, params):
        return params["n"] // 2

    def per_ciphertext(self, params):
        return params["n"]  # two reals per complex slot

    def check_payload(self, hc, h, payload):
        want = h.n_ct * 2 * hc.params["n"] * 4
        if len(payload) != want:
            raise CiphertextRejected(f"payload is {len(payload)} bytes, expected {want} for {h.n_ct} ciphertexts")

    def add(self, hc, n_ct, payloads, out=None):
        words = [np.frombuffer(p, dtype="<u4") for p in payloads]
        acc = np.empty_like(words[0]) if out is None else np.frombuffer(out, dtype="<u4")
        if len(words) == 1:
            acc[:] = words[0]
        else:
            np.add(words[0], words[1], out=acc)  # wraps mod 2^32: the ring's addition
        for w in words[2:]:
            np.add(acc, w, out=acc)
        return acc.tobytes() if out is None else None

    @staticmethod
    def _tools(hc):
        if "evaluator" not in hc._cache:
            hc._cache["evaluator"] = seal.Evaluator(hc.seal_ctx)
            hc._cache["encoder"] = seal.CKKSEncoder(hc.seal_ctx)
        return hc._cache["evaluator"], hc._cache["encoder"]

    def encrypt_update(self, hc, clipped, weight, seed):
        n = hc.params["n"]
        vals = np.append(clipped * float(weight), float(weight))
        n_ct = -(-vals.size // n)
        buf = np.zeros(n_ct * n)
        buf[:vals.size] = vals
        if "zero_encryptor" not in hc._cache:
            hc._cache["zero_encryptor"] = zero_encryptor(hc.seal_ctx, hc.public_key)
        enc, q = hc._cache["zero_encryptor"][1], hc._cache["q"]
        scale = float(2 ** hc.params["scale_bits"])
        words = np.empty((n_ct, 2 * n), dtype=np.uint32)
        for i, row in enumerate(buf.reshape(n_ct, n)):
            ct = seal.Ciphertext()
            enc.encrypt_zero(ct)  # SEAL's encrypt is this plus the plaintext (NTT form there) added to c0
            if ct.size() != 2 or ct.coeff_modulus_size() != 1 or ct.is_ntt_form():
                raise HEError("unexpected ciphertext shape from SEAL")
            words[i] = to_word(seal_io.coefficients(ct, n), q)
            words[i, :n] += encode(row, scale).astype(np.uint32)  # mod 2^32: a negative coefficient wraps
        return n_ct, words.astype("<u4", copy=False).tobytes()

    def decrypt_coefficients(self, hc, coeffs: np.ndarray, scale: float) -> np.ndarray:
        """The N/2 complex slots SEAL decrypts and decodes from one ciphertext's ``2N`` coefficients mod q
        (c0 then c1, out of NTT form) at ``scale``."""
        n = hc.params["n"]
        ev, encoder = self._tools(hc)
        if "decryptor" not in hc._cache:
            hc._cache["decryptor"] = seal.Decryptor(hc.seal_ctx, hc.secret_key)
        raw = seal_io.ciphertext_bytes(coeffs, hc._cache["parms_id"], n, hc._cache["version"], ntt=False,
                                       scale=scale)
        ct = seal_io.load(seal.Ciphertext(), hc.seal_ctx, raw)
        ev.transform_to_ntt_inplace(ct)
        pt = seal.Plaintext()
        hc._cache["decryptor"].decrypt(ct, pt)
        return np.asarray(encoder.decode_complex(pt), dtype=np.complex128)

    def decrypt_sum(self, hc, n_values, n_ct, payload):
        n, q = hc.params["n"], hc._cache["q"]
        scale = 2.0 ** hc.params["scale_bits"] * q / WORD  # the plaintext's scale back in the q domain
        coeffs = from_word(np.frombuffer(payload, dtype="<u4"), q)
        out = np.empty((n_ct, n))
        for i in range(n_ct):
            z = self.decrypt_coefficients(hc, coeffs[i * 2 * n:(i + 1) * 2 * n], scale)
            out[i, 0::2], out[i, 1::2] = z.real, z.imag
        vals = out.reshape(-1)[:n_values + 1]
        return vals[:-1], float(vals[-1])

    def mask_domain(self, hc, n_ct, payload):
        return MaskDomain(((n_ct * hc.params["n"], WORD),), WORD)  # one word per coefficient of c0

    def add_mask(self, hc, n_ct, payload, mask, subtract):
        n = hc.params["n"]
        arr = np.frombuffer(payload, dtype="<u4").reshape(n_ct, 2, n).copy()
        m = mask.astype(np.uint32).reshape(n_ct, n)
        if subtract:
            arr[:, 0, :] -= m  # c0 -= mask (mod 2^32)
        else:
            arr[:, 0, :] += m  # c0 += mask (mod 2^32)
        return arr.tobytes()


def zero_encryptor(seal_ctx, public_key, prng=None) -> tuple:
    """``(context, encryptor)`` whose ``encrypt_zero`` is SEAL's CKKS public-key encryption of zero, out of NTT form.

    SEAL's CKKS encryptor works in NTT form (four NTTs to divide by the special prime there, two more to leave
    it); its BFV encryptor runs the same code (the same key, the same ternary and error samplers, the same
    division by the special prime) in coefficient form. The public key is the same pair of polynomials mod Q;
    SEAL tags it with a hash of its context's parameters (``parms_id``): it is re-tagged for a BFV context on
    the same ring and moduli (a plaintext modulus plays no part in encrypting zero). Given the same randomness
    the output is the CKKS encryptor's, bit for bit (asserted in the tests). ``prng``: a SEAL PRNG factory
    (tests only: a seeded one)."""
    n = seal_ctx.first_context_data().parms().poly_modulus_degree()
    parms = seal.EncryptionParameters(seal.SCHEME_TYPE.BFV)
    parms.set_poly_modulus_degree(n)
    parms.set_coeff_modulus(seal_ctx.key_context_data().parms().coeff_modulus())
    parms.set_plain_modulus(seal.PlainModulus.Batching(n, 20))
    if prng is not None:
        parms.set_random_generator(prng)
    ctx = seal.SEALContext(parms, True, seal.SEC_LEVEL_TYPE.TC128)
    raw = seal_io.parse_ciphertext(seal_io.save(public_key))
    raw.parms_id = tuple(ctx.key_parms_id())
    return ctx, seal.Encryptor(ctx, seal_io.load(seal.PublicKey(), ctx, raw.to_bytes()))


@functools.lru_cache(maxsize=None)
def _embedding(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where SEAL's CKKSEncoder puts slot j: at the root zeta^(3^j mod 2n) of X^n + 1 (zeta = e^(i pi / n)), its
    conjugate at zeta^-(3^j); as indices l of the odd powers 2l + 1, and the twiddles zeta^-k / n of the inverse."""
    powers = np.array([pow(3, j, 2 * n) for j in range(n // 2)])
    return (powers - 1) // 2, (2 * n - powers - 1) // 2, np.exp(-1j * np.pi * np.arange(n) / n) / n


def encode(values: np.ndarray, scale: float) -> np.ndarray:
    """The CKKS plaintext of ``n`` reals (two per complex slot: ``z_j = v[2j] + i v[2j+1]``) in coefficient form,
    as int64: ``m_k = round(scale / n * sum over odd e of w_e zeta^(-e k))``, the inverse of the canonical
    embedding, by one length-n FFT. The same integers as SEAL's CKKSEncoder.encode (asserted in the tests),
    without its NTT (the owner adds it to c0 out of NTT form, mod 2^32) or a Python list per call."""
    n = values.size
    first, conj, twiddle = _embedding(n)
    z = (values[0::2] + 1j * values[1::2]) * scale
    w = np.zeros(n, dtype=np.complex128)
    w[first], w[conj] = z, np.conj(z)
    return np.rint((twiddle * np.fft.fft(w)).real).astype(np.int64)


def to_word(coeffs: np.ndarray, q: int) -> np.ndarray:
    """Modulus switch q -> 2^32: ``floor((c * 2^32 + q // 2) / q) mod 2^32``, exact for c < q < 2^61: a float64
    estimate r (off by at most one), then the exact remainder ``c * 2^32 - r * q`` (within +-2q, so right in
    int64 though computed mod 2^64) corrects it."""
    c = np.asarray(coeffs, dtype=np.uint64)
    r = np.rint(c.astype(np.float64) * (WORD / q)).astype(np.int64)
    rest = ((c << np.uint64(WORD_BITS)) - r.astype(np.uint64) * np.uint64(q)).view(np.int64)
    return (r + (rest + q // 2) // q).astype(np.uint32)


def from_word(words: np.ndarray, q: int) -> np.ndarray:
    """Modulus switch 2^32 -> q: ``floor((w * q + 2^31) / 2^32)`` (< q since q > 2^31), exact in uint64 with
    ``q = qh * 2^32 + ql``: ``w * qh + floor((w * ql + 2^31) / 2^32)``."""
    w = np.asarray(words, dtype=np.uint64)
    qh, ql = np.uint64(q >> WORD_BITS), np.uint64(q & (WORD - 1))
    return w * qh + ((w * ql + np.uint64(WORD // 2)) >> np.uint64(WORD_BITS))


def keygen_seal(params: dict, scheme_type) -> tuple[list[bytes], bytes]:
    """Shared by the SEAL-level fedavg schemes: ``([parameters, public key], secret key)``."""
    parms = seal.EncryptionParameters(scheme_type)
    parms.set_poly_modulus_degree(params["n"])
    parms.set_coeff_modulus(seal.CoeffModulus.Create(params["n"], params["coeff"]))
    if "plain_modulus" in params:
        parms.set_plain_modulus(params["plain_modulus"])
    keygen = seal.KeyGenerator(seal.SEALContext(parms, True, seal.SEC_LEVEL_TYPE.TC128))
    pk = seal.PublicKey()
    keygen.create_public_key(pk)
    return [seal_io.save(parms), seal_io.save(pk)], seal_io.save(keygen.secret_key())


def load_seal(hc: HEContext, sections: list[bytes], scheme_type) -> None:
    """Shared by the SEAL-level fedavg schemes: parameters, public key, optional secret key."""
    if len(sections) != (3 if hc.has_secret else 2):
        raise ContextRejected("fedavg context has the wrong number of sections"
                              + ("" if hc.has_secret else " (a secret key published as public?)"))
    params = hc.params
    parms = seal_io.load(seal.EncryptionParameters(scheme_type), None, sections[0])
    if parms.poly_modulus_degree() != params["n"] or \
            [m.bit_count() for m in parms.coeff_modulus()] != params["coeff"] or \
            (params["scheme"] == "bfv-packed" and parms.plain_modulus().value() != params["plain_modulus"]):
        raise ContextRejected("fedavg context parameters are inconsistent")
    sctx = seal.SEALContext(parms, True, seal.SEC_LEVEL_TYPE.TC128)
    if not sctx.parameters_set():
        raise ContextRejected(f"invalid SEAL parameters: {sctx.parameters_error_message()}")
    hc.seal_ctx = sctx
    hc.public_key = seal_io.load(seal.PublicKey(), sctx, sections[1])
    if hc.has_secret:
        hc.secret_key = seal_io.load(seal.SecretKey(), sctx, sections[2])
    hc._cache["q"] = int(sctx.first_context_data().parms().coeff_modulus()[0].value())
    hc._cache["parms_id"] = list(sctx.first_parms_id())
    hc._cache["version"] = (sections[0][3], sections[0][4])  # SEAL header of parms
