"""``stats`` and ``encrypted-model``: TenSEAL CKKS vectors, serialized with TenSEAL's serialize().

``stats``: add-only CKKS (N=8192, chain 60/40/60, scale 2^40) for sums, sums of squares, counts,
histograms. ``encrypted-model``: CKKS N=8192, chain 60/28/28/28/28/46 (scale 2^28, 218 bits: the
128-bit-security cap): four multiplicative levels for ``X w`` (1), the degree-3 sigmoid polynomial
(2) and ``X^T (.)`` (1); Galois keys for the vector-matrix products. The payload is, per
ciphertext, a u32 length and TenSEAL's bytes.
"""
from __future__ import annotations

import struct

import numpy as np
import tenseal as ts

from .envelope import split_sections
from .errors import CiphertextRejected, ContextRejected, HEError
from .scheme import HEContext, Scheme


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
