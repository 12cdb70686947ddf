"""``stats`` and ``encrypted-model``: TenSEAL CKKS vectors, serialized with TenSEAL's serialize().

``stats``: add-only CKKS (N=8192, chain 60/40/60, scale 2^40) for sums, sums of squares, counts,
histograms. ``encrypted-model``: CKKS N=8192, chain 60/28/28/28/28/46 (scale 2^28, 218 bits: the
128-bit-security cap): four multiplicative levels for ``X w`` (1), the degree-3 sigmoid polynomial
(2) and ``X^T (.)`` (1); Galois keys for the vector-matrix products. The payload is, per
ciphertext, a u32 length and TenSEAL's bytes.

Secure aggregation masks the SEAL ciphertexts inside TenSEAL's serialization (``CKKSVectorProto``:
field 1 the chunk sizes, 2 the SEAL ciphertexts, 3 the scale): a uniform vector mod each RNS prime q_j
of the ciphertext's level is added to c0 (NTT form: NTT is linear, and a uniform vector stays uniform).
TenSEAL's add is limb-wise mod q_j, so masks that sum to zero cancel exactly; a masked ciphertext is
written uncompressed (SEAL loads any compression mode).
"""
from __future__ import annotations

import struct

import numpy as np
import tenseal as ts
import tenseal.sealapi as seal

from orchestrator.storage.unixfs import read_uvarint, uvarint

from . import seal_io
from .envelope import split_sections
from .errors import CiphertextRejected, ContextRejected, HEError
from .scheme import HEContext, MaskDomain, Scheme

_CIPHERTEXTS = 2  # the field of CKKSVectorProto holding the serialized SEAL ciphertexts


class CkksVectors(Scheme):
    name = "ckks"

    def make_params(self, mode, n_params, options):
        if options:
            raise HEError(f"mode {mode!r} takes no options, got {sorted(options)}")
        if mode == "stats":
            return {"mode": mode, "scheme": "ckks", "n": 8192, "coeff": [60, 40, 60], "scale_bits": 40,
                    "galois": False, "max_parties": 4096}
        # 60-bit first prime: 32 bits of headroom above the 2^28 scale for the final gradient sum.
        return {"mode": mode, "scheme": "ckks", "n": 8192, "coeff": [60, 28, 28, 28, 28, 46],
                "scale_bits": 28, "galois": True, "max_parties": 4096}

    def expected_params(self, params):
        return self.make_params(params["mode"], None, {})

    def keygen(self, params):
        ctx = ts.context(ts.SCHEME_TYPE.CKKS, params["n"], coeff_mod_bit_sizes=params["coeff"])
        ctx.global_scale = 2 ** params["scale_bits"]
        if params["galois"]:
            ctx.generate_galois_keys()
        public = ctx.serialize(save_public_key=True, save_secret_key=False, save_galois_keys=params["galois"],
                               save_relin_keys=True)
        secret = ctx.serialize(save_public_key=True, save_secret_key=True, save_galois_keys=False,
                               save_relin_keys=False)
        return [public], secret

    def load(self, hc, sections):
        if len(sections) != 1:
            raise ContextRejected("CKKS context has the wrong number of sections")
        tctx = ts.context_from(sections[0])
        if tctx.is_private() != hc.has_secret:
            raise ContextRejected("context published as public carries a secret key"
                                  if not hc.has_secret else "secret context lacks its secret key")
        hc.ts_ctx = tctx
        # the chain of RNS primes (SEAL generates them deterministically); a ciphertext at level k uses the first k
        hc._cache["primes"] = tuple(m.value() for m in seal.CoeffModulus.Create(hc.params["n"], hc.params["coeff"]))

    def slots(self, params):
        return params["n"] // 2

    def per_ciphertext(self, params):
        return params["n"] // 2

    def check_payload(self, hc, h, payload):
        vectors_of(hc, h.n_ct, h.n_values, payload)

    def add(self, hc, n_ct, payloads, out=None):
        total = None
        for i, p in enumerate(payloads):
            vecs = vectors_of(hc, n_ct, None, p, index=i)
            if total is None:
                total = vecs
            else:
                for t, v in zip(total, vecs):
                    t.add_(v)
        return payload_of(total)

    def mask_domain(self, hc, n_ct, payload):
        n = hc.params["n"]
        return MaskDomain(tuple((n, q) for _, raw in _seal_ciphertexts(hc, n_ct, payload) for c in raw
                                for q in hc._cache["primes"][:c.coeffs.shape[1]]))

    def add_mask(self, hc, n_ct, payload, mask, subtract):
        out, at = [], 0
        for fields, raw in _seal_ciphertexts(hc, n_ct, payload):
            for c in raw:
                for j, q in enumerate(hc._cache["primes"][:c.coeffs.shape[1]]):
                    m = mask[at:at + c.coeffs.shape[2]]
                    at += m.size
                    m = np.where(m == 0, m, np.uint64(q) - m) if subtract else m
                    c0, qq = c.coeffs[0, j], np.uint64(q)
                    c.coeffs[0, j] = np.where(c0 >= qq - m, c0 - (qq - m), c0 + m)  # mod q_j, no overflow
            it = iter(raw)
            out.append(_proto_bytes([((f, w), next(it).to_bytes() if f == _CIPHERTEXTS else v) for (f, w), v in fields]))
        return b"".join(struct.pack("<I", len(b)) + b for b in out)


# --------------------------------------------------------------------------- TenSEAL's protobuf framing


def _proto_fields(buf: bytes) -> list[tuple[tuple[int, int], bytes]]:
    """``((field, wire type), value bytes)`` in order (value: the raw field bytes for the scalar types)."""
    out, off = [], 0
    while off < len(buf):
        key, off = read_uvarint(buf, off)
        field, wire = key >> 3, key & 7
        if wire == 2:
            ln, off = read_uvarint(buf, off)
            start, off = off, off + ln
        elif wire in (0, 1, 5):
            start = off
            off = read_uvarint(buf, off)[1] if wire == 0 else off + (8 if wire == 1 else 4)
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if off > len(buf):
            raise ValueError("truncated protobuf")
        out.append(((field, wire), buf[start:off]))
    return out


def _proto_bytes(fields) -> bytes:
    return b"".join(uvarint(f << 3 | w) + (uvarint(len(v)) if w == 2 else b"") + v for (f, w), v in fields)


def _seal_ciphertexts(hc: HEContext, n_ct: int, payload):
    """Per chunk: (its protobuf fields, its SEAL ciphertexts parsed)."""
    limit = len(hc._cache["primes"]) - 1  # the special prime carries no data
    out = []
    for i, c in enumerate(chunks(n_ct, payload)):
        try:
            fields = _proto_fields(c)
            raw = [seal_io.parse_ciphertext(v) for (f, _), v in fields if f == _CIPHERTEXTS]
        except ValueError as e:
            raise CiphertextRejected(f"ciphertext {i} is not a TenSEAL CKKS vector: {e}") from e
        if any(r.coeffs.shape[0] < 2 or not 1 <= r.coeffs.shape[1] <= limit or r.coeffs.shape[2] != hc.params["n"]
               for r in raw):
            raise CiphertextRejected(f"ciphertext {i} has the wrong dimensions for this context")
        out.append((fields, raw))
    return out


def chunks(n_ct: int, payload) -> list[bytes]:
    return split_sections(bytes(payload), 0, n_ct)


def vectors_of(hc: HEContext, n_ct: int, n_values: int | None, payload, index: int | None = None) -> list:
    """The payload's TenSEAL vectors, linked to ``hc`` (each must deserialize and hold the right count)."""
    vecs = []
    for i, c in enumerate(chunks(n_ct, payload)):
        try:
            v = ts.ckks_vector_from(hc.ts_ctx, c)
        except Exception as e:
            raise CiphertextRejected(f"ciphertext {i} does not deserialize under this context: {e}", index) from e
        if n_values is not None and v.size() != min(hc.slots, n_values - i * hc.slots):
            raise CiphertextRejected(f"ciphertext {i} holds {v.size()} values, expected "
                                     f"{min(hc.slots, n_values - i * hc.slots)}", index)
        vecs.append(v)
    return vecs


def payload_of(vectors: list) -> bytes:
    return b"".join(struct.pack("<I", len(b)) + b for b in (v.serialize() for v in vectors))


def encrypt(hc: HEContext, values: np.ndarray) -> list:
    return [ts.ckks_vector(hc.ts_ctx, values[i:i + hc.slots].tolist()) for i in range(0, values.size, hc.slots)]


def decrypt(vectors: list) -> np.ndarray:
    return np.concatenate([np.asarray(v.decrypt(), dtype=np.float64) for v in vectors])
