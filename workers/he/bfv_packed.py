"""fedavg ``bfv-packed``: BFV (exact integers mod t), BatchCrypt-style quantization and lane packing.

BFV on N=4096 with a single 60-bit data prime (plus a 40-bit special prime used only to shrink
fresh-encryption noise), or, for models under ~4k parameters, N=2048 with one 54-bit prime (half the
ciphertext). Each data owner clips its update to ``[-clip, clip]``, multiplies it by its weight in
plaintext, quantizes it to ``quant_bits``-bit integers (unbiased stochastic rounding) and packs
``lanes`` values per slot (``v0 + v1*2^B + v2*2^(2B)`` with ``B = quant_bits + log2(max_parties)``
bits of headroom so lanes never carry into each other). The aggregate is exact modular addition of
the ciphertext coefficients (numpy, uint64), hence byte-identical whatever the host. One ciphertext
carries N*lanes values in 16*N bytes. The total weight decrypts to an exact integer.
"""
from __future__ import annotations

import functools

import numpy as np
import tenseal.sealapi as seal

from . import seal_io
from .ckks_fedavg import keygen_seal, load_seal
from .errors import CiphertextRejected, HEError
from .scheme import MaskDomain, Scheme


def _is_prime(n: int) -> bool:
    if n < 2:
        return False
    small = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    for p in small:
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for a in small:  # deterministic for n < 3.3e24
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


@functools.lru_cache(maxsize=None)
def _batching_prime(bits: int, n: int) -> int:
    """Largest prime below 2^bits congruent to 1 mod 2n (needed for BFV batching)."""
    k = ((1 << bits) - 1) // (2 * n)
    while not _is_prime(k * 2 * n + 1):
        k -= 1
    return k * 2 * n + 1


# poly degree -> (coefficient primes, plaintext-modulus bits, most parties). Measured noise: at
# N=4096 (the 40-bit special prime shrinks fresh noise) a 46-bit t survives 256 additions; at
# N=2048 (a single 54-bit prime, no special prime) a 36-bit t keeps 5 bits of budget after 16.
TABLE = {4096: ((60, 40), 46, 256), 2048: ((54,), 36, 64)}


def qmax(p: dict) -> int:
    return (1 << (p["quant_bits"] - 1)) - 1


def weight_units(params: dict, weight: float) -> int:
    """The exact integer a FedAvg weight in [0, 1] is encrypted as (a sum of them decrypts exactly)."""
    return int(round(float(weight) * qmax(params)))


class BfvPacked(Scheme):
    name = "bfv-packed"

    def make_params(self, mode, n_params, options):
        if n_params is None or "poly_degree" in options:
            return self._params(**options)
        return self.smallest(TABLE, n_params, options, self._params)

    def expected_params(self, params):
        return self._params(params["quant_bits"], params["max_parties"], params["clip"], params["n"])

    @staticmethod
    def _params(quant_bits: int = 12, max_parties: int = 8, clip: float = 1.0, poly_degree: int = 4096) -> dict:
        if poly_degree not in TABLE:
            raise HEError(f"poly_degree must be one of {sorted(TABLE)}, got {poly_degree}")
        coeff, t_bits, parties_cap = TABLE[poly_degree]
        if not 4 <= quant_bits <= 24:
            raise HEError(f"quant_bits must be in [4, 24], got {quant_bits}")
        if not 1 <= max_parties <= parties_cap:
            raise HEError(f"max_parties must be in [1, {parties_cap}] at N={poly_degree}, got {max_parties}")
        if not clip > 0:
            raise HEError(f"clip must be positive, got {clip}")
        headroom = max(1, int(np.ceil(np.log2(max_parties))))
        lane_bits = quant_bits + headroom
        lanes = (t_bits - 1) // lane_bits
        if lanes < 1:
            raise HEError("quant_bits + log2(max_parties) exceeds the plaintext modulus")
        return {"mode": "fedavg", "scheme": "bfv-packed", "n": poly_degree, "coeff": list(coeff),
                "plain_modulus": _batching_prime(t_bits, poly_degree), "quant_bits": quant_bits,
                "max_parties": max_parties, "lane_bits": lane_bits, "lanes": lanes, "clip": float(clip)}

    def keygen(self, params):
        return keygen_seal(params, seal.SCHEME_TYPE.BFV)

    def load(self, hc, sections):
        load_seal(hc, sections, seal.SCHEME_TYPE.BFV)

    def slots(self, params):
        return params["n"]

    def per_ciphertext(self, params):
        return params["n"] * params["lanes"]

    def _coeffs(self, hc, n_ct, payload) -> np.ndarray:
        want = n_ct * 2 * hc.params["n"] * 8
        if len(payload) != want:
            raise CiphertextRejected(f"payload is {len(payload)} bytes, expected {want} for {n_ct} ciphertexts")
        return np.frombuffer(payload, dtype="<u8")

    def check_payload(self, hc, h, payload):
        arr = self._coeffs(hc, h.n_ct, payload)
        if arr.size and int(arr.max()) >= hc._cache["q"]:
            raise CiphertextRejected("ciphertext coefficient out of range (garbled or foreign ciphertext)")

    def add(self, hc, n_ct, payloads, out=None):
        return sum_mod([np.frombuffer(p, dtype="<u8") for p in payloads], np.uint64(hc._cache["q"])).tobytes()

    # -- plaintext packing --
    def _pack_lanes(self, ints: np.ndarray, p: dict) -> np.ndarray:
        """(n_values,) int64 -> (n_ct, N) int64 slot values; lane l of slot s in ct c holds
        value index c*N*L + l*N + s."""
        n, lanes, bits = p["n"], p["lanes"], p["lane_bits"]
        per = n * lanes
        n_ct = -(-ints.size // per)
        buf = np.zeros(n_ct * per, dtype=np.int64)
        buf[:ints.size] = ints
        buf = buf.reshape(n_ct, lanes, n)
        slots = np.zeros((n_ct, n), dtype=np.int64)
        for lane in range(lanes):
            slots += buf[:, lane, :] << (bits * lane)
        return slots

    def _unpack_lanes(self, slots: np.ndarray, n_values: int, p: dict) -> np.ndarray:
        lanes, bits = p["lanes"], p["lane_bits"]
        mask, half = (1 << bits) - 1, 1 << (bits - 1)
        rest = slots.astype(np.int64).copy()
        out = np.empty((slots.shape[0], lanes, slots.shape[1]), dtype=np.int64)
        for lane in range(lanes):
            v = ((rest + half) & mask) - half
            out[:, lane, :] = v
            rest = (rest - v) >> bits
        if np.any(rest != 0):
            raise HEError("lane overflow while unpacking (more parties than the context allows?)")
        return out.reshape(-1)[:n_values]

    def _tools(self, hc):
        if "evaluator" not in hc._cache:
            hc._cache["evaluator"] = seal.Evaluator(hc.seal_ctx)
            hc._cache["encoder"] = seal.BatchEncoder(hc.seal_ctx)
        return hc._cache["evaluator"], hc._cache["encoder"]

    def encrypt_update(self, hc, clipped, weight, seed):
        p = hc.params
        q_max = qmax(p)
        w_int = weight_units(p, weight)
        rng = np.random.default_rng(seed)
        scaled = clipped * (w_int / p["clip"])
        lo = np.floor(scaled)  # unbiased stochastic rounding
        ints = np.clip((lo + (rng.random(scaled.shape) < (scaled - lo))).astype(np.int64), -q_max, q_max)
        slots = self._pack_lanes(np.append(ints, w_int), p)
        if "encryptor" not in hc._cache:
            hc._cache["encryptor"] = seal.Encryptor(hc.seal_ctx, hc.public_key)
        enc, (_, encoder) = hc._cache["encryptor"], self._tools(hc)
        n = p["n"]
        out = np.empty((slots.shape[0], 2 * n), dtype=np.uint64)
        for i, row in enumerate(slots):
            pt, ct = seal.Plaintext(), seal.Ciphertext()
            encoder.encode(row.tolist(), pt)
            enc.encrypt(pt, ct)
            if ct.size() != 2 or ct.coeff_modulus_size() != 1 or ct.is_ntt_form():
                raise HEError("unexpected ciphertext shape from SEAL")
            out[i] = seal_io.coefficients(ct, n)
        return slots.shape[0], out.astype("<u8").tobytes()

    def _load_ct(self, hc, coeffs):
        raw = seal_io.ciphertext_bytes(coeffs, hc._cache["parms_id"], hc.params["n"], hc._cache["version"])
        return seal_io.load(seal.Ciphertext(), hc.seal_ctx, raw)

    def decrypt_slots(self, hc, n_ct, payload) -> np.ndarray:
        """The decrypted slot values (n_ct, N), before lane unpacking."""
        n = hc.params["n"]
        if "decryptor" not in hc._cache:
            hc._cache["decryptor"] = seal.Decryptor(hc.seal_ctx, hc.secret_key)
        dec, (_, encoder) = hc._cache["decryptor"], self._tools(hc)
        coeffs = self._coeffs(hc, n_ct, payload)
        slots = np.empty((n_ct, n), dtype=np.int64)
        for i in range(n_ct):
            ct = self._load_ct(hc, coeffs[i * 2 * n:(i + 1) * 2 * n])
            pt = seal.Plaintext()
            dec.decrypt(ct, pt)
            if dec.invariant_noise_budget(ct) <= 0:
                raise HEError("noise budget exhausted: ciphertext cannot be decrypted exactly")
            slots[i] = np.asarray(encoder.decode_int64(pt), dtype=np.int64)
        return slots

    def decrypt_sum(self, hc, n_values, n_ct, payload):
        ints = self._unpack_lanes(self.decrypt_slots(hc, n_ct, payload), n_values + 1, hc.params)
        q_max = qmax(hc.params)
        return ints[:-1].astype(np.float64) * (hc.params["clip"] / q_max), float(ints[-1] / q_max)

    def mask_domain(self, hc, n_ct, payload):
        return MaskDomain(((n_ct * hc.params["n"], hc.params["plain_modulus"]),), hc._cache["q"])

    def add_mask(self, hc, n_ct, payload, mask, subtract):
        """c0 +- round(q/t * mask) mod q: decryption yields plaintext +- mask (mod t). A sum whose masks add
        up to 0 mod t differs from the unmasked sum by a multiple of q plus at most 1/2 per term, far below
        the decryption tolerance q/(2t): masked sums decrypt exactly to the unmasked ones."""
        q, t = hc._cache["q"], hc.params["plain_modulus"]
        shift = scale_to_q(mask, q, t)
        if subtract:
            shift = np.where(shift == 0, shift, np.uint64(q) - shift)
        n = hc.params["n"]
        coeffs = self._coeffs(hc, n_ct, payload).reshape(n_ct, 2, n).copy()
        c0 = coeffs[:, 0, :].reshape(-1)
        qq = np.uint64(q)
        coeffs[:, 0, :] = np.where(c0 >= qq - shift, c0 - (qq - shift), c0 + shift).reshape(n_ct, n)  # no overflow
        return coeffs.tobytes()


def scale_to_q(x: np.ndarray, q: int, t: int) -> np.ndarray:
    """``round(q * x / t)`` for uint64 ``x < t``, exactly, though ``q * x`` needs up to 106 bits (q < 2^60,
    t < 2^47): with ``q = a*t + b`` it is ``a*x + floor((b*x + t//2) / t)``; the quotient (below t) is
    estimated in float64 (three roundings of 2^-53 relative: off by under 3 * 2^-6, so its floor by at most 1)
    and corrected by the sign of the exact remainder, computed in wrapping uint64 (its true value is in
    [-t, 2t), so int64 holds it).
    The result is below q (``q * (t - 1) / t + 1/2 < q``)."""
    a, b, h = q // t, q % t, t // 2
    x = np.asarray(x, dtype=np.uint64)
    k = np.floor((x.astype(np.float64) * b + h) / t).astype(np.uint64)
    r = (x * np.uint64(b) + np.uint64(h) - k * np.uint64(t)).view(np.int64)
    k = k - (r < 0) + (r >= t)
    return x * np.uint64(a) + k


def sum_mod(arrays: list[np.ndarray], q: np.uint64) -> np.ndarray:
    """Exact sum mod q of uint64 arrays whose entries are < q < 2^60 (SEAL's add, vectorized).

    Up to 2^64/q terms (16 for a 60-bit q) are added without reduction, then reduced by conditional
    subtraction of ..., 4q, 2q, q, each as ``min(x, x - kq)`` (a wrapped difference is larger).
    """
    acc = arrays[0].astype(np.uint64)  # (a copy: arrays are views of the payloads)
    scratch = np.empty_like(acc)

    def reduce():  # acc < terms * q  ->  acc < q
        k = 1 << max(0, (terms - 1).bit_length() - 1)
        for k in [k >> i for i in range(k.bit_length())]:
            np.subtract(acc, np.uint64(k) * q, out=scratch)
            np.minimum(acc, scratch, out=acc)

    cap = min(1 << 16, ((1 << 64) - 1) // int(q))  # terms that fit in uint64 unreduced (16 at 2^60)
    terms = 1
    for a in arrays[1:]:
        if terms == cap:
            reduce()
            terms = 1
        np.add(acc, a, out=acc)
        terms += 1
    reduce()
    return acc
