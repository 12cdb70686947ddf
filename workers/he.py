"""Homomorphic encryption of model updates, statistics and gradients (SEAL through TenSEAL).

Three modes, each with parameters sized for the depth it needs and no more:

``fedavg``
    Add-only; the owner weights its update in plaintext and the aggregator only sums. Two schemes,
    chosen at key generation (``scheme=``) and recorded in the public context (hence in its
    fingerprint) and in every blob header, so the other calls dispatch on it:

    ``ckks`` (the default, the scheme the issue names): CKKS on N=4096 (or N=2048 for small
    models) with a single data prime sized for depth 0 plus headroom --
    ``scale_bits + log2(max_parties * clip) + 3`` rounded up to whole bytes (32 bits for the
    defaults: scale 2^25, 8 parties, clip 1) -- and a special prime (60 bits at N=4096, the rest
    of the 54-bit budget at N=2048) that only shrinks fresh-encryption noise. No relinearization
    or Galois keys. Values fill all N/2 slots; ciphertext coefficients are stored as little-endian
    integers of ``width`` bytes (no compression, no randomness in the encoding), and the aggregate
    is exact modular addition of those coefficients (numpy), so it is byte-identical whatever the
    host. One ciphertext carries N/2 values in ``2*N*width`` bytes (16 B/value at the defaults).
    Precision: fresh noise is about 2^12 / 2^scale_bits per value (1.5e-4 at scale 2^25).

    ``bfv-packed``: BFV (exact integers mod t) on N=4096 with a single 60-bit data prime (plus a 40-bit
    special prime used only to shrink fresh-encryption noise), or, for models under ~4k
    parameters, N=2048 with one 54-bit prime (half the ciphertext). Each data owner clips its update to
    ``[-clip, clip]``, multiplies it by its weight in plaintext, quantizes it to ``quant_bits``-bit
    integers (unbiased stochastic rounding) and packs ``lanes`` values per slot BatchCrypt-style
    (``v0 + v1*2^B + v2*2^(2B)`` with ``B = quant_bits + log2(max_parties)`` bits of headroom so
    lanes never carry into each other). The aggregate is a pure ciphertext sum, done as exact
    modular addition of the ciphertext coefficients (numpy, uint64), hence byte-identical
    whatever the host. One ciphertext carries N*lanes values in 16*N bytes.
``stats``
    Add-only CKKS (N=8192, chain 60/40/60, scale 2^40) for sums, sums of squares, counts, histograms.
``encrypted-model``
    CKKS N=8192, chain 60/28/28/28/28/46 (scale 2^28, 218 bits: the 128-bit-security cap): four multiplicative levels for
    ``X w`` (1), the degree-3 sigmoid polynomial (2) and ``X^T (.)`` (1); Galois keys for the
    vector-matrix products.

Contexts travel as bytes in a small envelope (magic, version, JSON parameters, sections). The
public envelope never holds a secret key; :func:`load_public_context` rejects one that does.
Ciphertext blobs carry a header (magic, version, mode, value count, party count, the SHA-256
fingerprint of the public context, a checksum of the payload) so that a blob made under another
context, with another length, or garbled in transit is rejected before it is summed.
"""
from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import shutil
import struct
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import tenseal as ts
import tenseal.sealapi as seal

__all__ = [
    "MODES",
    "FEDAVG_SCHEMES",
    "DEFAULT_FEDAVG_SCHEME",
    "HEError",
    "ContextRejected",
    "CiphertextRejected",
    "HEContext",
    "BlobHeader",
    "generate_keys",
    "load_public_context",
    "load_secret_context",
    "fingerprint",
    "encrypt_update",
    "encrypt_values",
    "aggregate",
    "decrypt",
    "decrypt_sum",
    "decrypt_values",
    "validate_ciphertext",
    "read_header",
    "ckks_vectors",
    "pack_ckks",
    "weight_units",
    "MaskDomain",
    "mask_domain",
    "add_mask",
]

MODES = ("fedavg", "stats", "encrypted-model")
_MODE_ID = {m: i + 1 for i, m in enumerate(MODES)}
FEDAVG_SCHEMES = ("ckks", "bfv-packed")
DEFAULT_FEDAVG_SCHEME = "ckks"
_SCHEME_ID = {"bfv-packed": 1, "ckks": 2}
_SCHEME_NAME = {v: k for k, v in _SCHEME_ID.items()}
_CTX_MAGIC = b"DCHC"
_BLOB_MAGIC = b"DCHE"
_VERSION = 1
# magic, version, mode, scheme, n_values, n_ct, n_parties, payload checksum, fingerprint
_BLOB_HEAD = struct.Struct("<4sBBHIIIQ32s")


class HEError(ValueError):
    """Bad input to a homomorphic operation (never transient: do not retry)."""


class ContextRejected(HEError):
    """A context envelope is malformed, of the wrong kind, or leaks a secret key."""


class CiphertextRejected(HEError):
    """A ciphertext blob is malformed, garbled, or made under another context or length."""


# --------------------------------------------------------------------------- parameters


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
_FEDAVG_TABLE = {4096: ((60, 40), 46, 256), 2048: ((54,), 36, 64)}


def _fedavg_params(quant_bits: int = 12, max_parties: int = 8, clip: float = 1.0,
                   poly_degree: int = 4096) -> dict:
    if poly_degree not in _FEDAVG_TABLE:
        raise HEError(f"poly_degree must be one of {sorted(_FEDAVG_TABLE)}, got {poly_degree}")
    coeff, t_bits, parties_cap = _FEDAVG_TABLE[poly_degree]
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
    return {
        "mode": "fedavg",
        "scheme": "bfv-packed",
        "n": poly_degree,
        "coeff": list(coeff),
        "plain_modulus": _batching_prime(t_bits, poly_degree),
        "quant_bits": quant_bits,
        "max_parties": max_parties,
        "lane_bits": lane_bits,
        "lanes": lanes,
        "clip": float(clip),
    }


def _smallest_fedavg(n_params: int, **options) -> dict:
    """The poly degree whose ciphertexts for ``n_params`` values are smallest (ties: larger N)."""
    best = None
    for n in sorted(_FEDAVG_TABLE, reverse=True):
        try:
            p = _fedavg_params(**options, poly_degree=n)
        except HEError:
            continue
        size = -(-(n_params + 1) // (n * p["lanes"])) * 2 * n * 8
        if best is None or size < best[0]:
            best = (size, p)
    if best is None:
        raise HEError(f"no fedavg parameters fit {options}")
    return best[1]


# poly degree -> total coefficient-modulus bits allowed at 128-bit security (SEAL's table)
_CKKS_FEDAVG_BUDGET = {4096: 109, 2048: 54}


def _fedavg_ckks_params(scale_bits: int = 25, max_parties: int = 8, clip: float = 1.0,
                        poly_degree: int = 4096) -> dict:
    """CKKS for depth 0: one data prime q with room for ``max_parties * clip`` at the scale.

    A sum of up to ``max_parties`` updates, each coordinate in ``[-clip, clip]`` times a weight
    <= 1, has slot values below ``P*clip``; its coefficients are at most twice that times the
    scale, so ``q > 2^(scale_bits + log2(P*clip) + 2)`` plus one bit for the noise. ``q`` is rounded
    up to whole bytes (the storage width); the special prime takes the rest of the budget (<= 60).
    """
    if poly_degree not in _CKKS_FEDAVG_BUDGET:
        raise HEError(f"poly_degree must be one of {sorted(_CKKS_FEDAVG_BUDGET)}, got {poly_degree}")
    if not 16 <= scale_bits <= 40:
        raise HEError(f"scale_bits must be in [16, 40], got {scale_bits}")
    if not 1 <= max_parties <= 4096:
        raise HEError(f"max_parties must be in [1, 4096], got {max_parties}")
    if not clip > 0:
        raise HEError(f"clip must be positive, got {clip}")
    need = scale_bits + max(0, int(np.ceil(np.log2(max_parties * clip)))) + 3
    width = -(-need // 8)
    q_bits = 8 * width
    special = min(60, _CKKS_FEDAVG_BUDGET[poly_degree] - q_bits)
    if q_bits > 60 or special < 20:
        raise HEError(f"scale 2^{scale_bits} with {max_parties} parties x clip {clip} needs a "
                      f"{q_bits}-bit prime: too large for N={poly_degree}")
    return {"mode": "fedavg", "scheme": "ckks", "n": poly_degree, "coeff": [q_bits, special],
            "scale_bits": scale_bits, "max_parties": max_parties, "clip": float(clip), "width": width}


def _smallest_fedavg_ckks(n_params: int, **options) -> dict:
    best = None
    for n in sorted(_CKKS_FEDAVG_BUDGET, reverse=True):
        try:
            p = _fedavg_ckks_params(**options, poly_degree=n)
        except HEError:
            continue
        size = -(-(n_params + 1) // (n // 2)) * 2 * n * p["width"]
        if best is None or size < best[0]:
            best = (size, p)
    if best is None:
        raise HEError(f"no ckks fedavg parameters fit {options}")
    return best[1]


def _fedavg_scheme_params(scheme: str, n_params: int | None, options: dict) -> dict:
    if scheme == "bfv-packed":
        return _smallest_fedavg(int(n_params), **options) if n_params else _fedavg_params(**options)
    if scheme == "ckks":
        bad = sorted(set(options) - {"scale_bits", "max_parties", "clip", "poly_degree"})
        if bad:
            raise HEError(f"fedavg scheme 'ckks' does not take {bad}")
        return _smallest_fedavg_ckks(int(n_params), **options) if n_params else _fedavg_ckks_params(**options)
    raise HEError(f"unknown fedavg scheme {scheme!r}; expected one of {FEDAVG_SCHEMES}")


def _ckks_params(mode: str) -> dict:
    if mode == "stats":
        return {"mode": mode, "scheme": "ckks", "n": 8192, "coeff": [60, 40, 60], "scale_bits": 40,
                "galois": False, "max_parties": 4096}
    # 60-bit first prime: 32 bits of headroom above the 2^28 scale for the final gradient sum.
    return {"mode": mode, "scheme": "ckks", "n": 8192, "coeff": [60, 28, 28, 28, 28, 46],
            "scale_bits": 28, "galois": True, "max_parties": 4096}


# --------------------------------------------------------------------------- SEAL byte I/O

_tmp_local = threading.local()


def _tmpdir() -> str:
    d = getattr(_tmp_local, "dir", None)
    if d is None or not os.path.isdir(d):
        base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        d = tempfile.mkdtemp(prefix="datacap-he-", dir=base)
        atexit.register(shutil.rmtree, d, True)
        _tmp_local.dir = d
    return d


def _seal_save(obj) -> bytes:
    # tenseal.sealapi only saves to paths; a per-thread scratch file in /dev/shm keeps it in RAM.
    path = os.path.join(_tmpdir(), "obj")
    obj.save(path)
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    return data


def _seal_load(obj, seal_ctx, data: bytes):
    path = os.path.join(_tmpdir(), "obj")
    with open(path, "wb") as f:
        f.write(data)
    try:
        if seal_ctx is None:
            obj.load(path)
        else:
            obj.load(seal_ctx, path)
    finally:
        os.unlink(path)
    return obj


_SEAL_HEAD = struct.Struct("<HBBBBHQ")  # magic, header size, major, minor, compr mode, rsv, size


def _seal_ciphertext_bytes(coeffs: np.ndarray, parms_id: Sequence[int], n: int, version,
                           ntt: bool = False, scale: float = 1.0) -> bytes:
    """Serialize a 2-polynomial, 1-prime SEAL ciphertext (compression: none)."""
    dyn = struct.pack("<Q", coeffs.size) + coeffs.astype("<u8", copy=False).tobytes()
    dyn = _SEAL_HEAD.pack(0xA15E, 16, version[0], version[1], 0, 0, 16 + len(dyn)) + dyn
    members = (struct.pack("<4Q", *parms_id) + (b"\x01" if ntt else b"\x00")
               + struct.pack("<QQQdQ", 2, n, 1, float(scale), 1) + dyn)
    return _SEAL_HEAD.pack(0xA15E, 16, version[0], version[1], 0, 0, 16 + len(members)) + members


# --------------------------------------------------------------------------- contexts


@dataclass
class HEContext:
    """A loaded context: parameters plus the SEAL/TenSEAL objects needed for its mode."""

    mode: str
    params: dict
    fingerprint: bytes  # sha256 of the public envelope
    has_secret: bool
    ts_ctx: Any = None  # TenSEAL context (CKKS modes)
    seal_ctx: Any = None  # seal.SEALContext (fedavg)
    public_key: Any = None
    secret_key: Any = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def scheme(self) -> str:
        return self.params["scheme"]

    @property
    def slots(self) -> int:
        return self.params["n"] // 2 if self.params["scheme"] == "ckks" else self.params["n"]

    @property
    def per_ciphertext(self) -> int:
        """Number of values one ciphertext carries."""
        if self.params["scheme"] == "bfv-packed":
            return self.params["n"] * self.params["lanes"]
        return self.slots

    @property
    def width(self) -> int:
        """Bytes per stored ciphertext coefficient (fedavg blobs)."""
        return self.params.get("width", 8)


def _envelope(params: dict, has_secret: bool, sections: list[bytes]) -> bytes:
    js = json.dumps(params, sort_keys=True, separators=(",", ":")).encode()
    out = [_CTX_MAGIC, struct.pack("<BBI", _VERSION, int(has_secret), len(js)), js,
           struct.pack("<B", len(sections))]
    for s in sections:
        out += [struct.pack("<I", len(s)), s]
    return b"".join(out)


def _open_envelope(data: bytes) -> tuple[dict, bool, list[bytes]]:
    try:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ContextRejected(f"context must be bytes, got {type(data).__name__}")
        data = bytes(data)
        if data[:4] != _CTX_MAGIC:
            raise ContextRejected("not a datacap HE context (bad magic)")
        version, has_secret, jlen = struct.unpack_from("<BBI", data, 4)
        if version != _VERSION:
            raise ContextRejected(f"unsupported context version {version}")
        off = 10
        params = json.loads(data[off:off + jlen])
        off += jlen
        (count,) = struct.unpack_from("<B", data, off)
        off += 1
        sections = []
        for _ in range(count):
            (ln,) = struct.unpack_from("<I", data, off)
            off += 4
            if off + ln > len(data):
                raise ContextRejected("truncated context")
            sections.append(data[off:off + ln])
            off += ln
        if off != len(data):
            raise ContextRejected("trailing bytes after context")
        if params.get("mode") not in MODES:
            raise ContextRejected(f"unknown mode {params.get('mode')!r}")
        return params, bool(has_secret), sections
    except ContextRejected:
        raise
    except (struct.error, ValueError, UnicodeDecodeError) as e:
        raise ContextRejected(f"malformed context: {e}") from e


def fingerprint(public_ctx: bytes) -> bytes:
    """SHA-256 of the public context envelope (what blobs name and the chain can commit)."""
    return hashlib.sha256(public_ctx).digest()


def generate_keys(mode: str = "fedavg", **options) -> tuple[bytes, bytes]:
    """Make a key pair for ``mode``.

    Returns ``(secret_context_bytes, public_context_bytes)``. The public context holds no secret
    key. ``fedavg`` accepts ``scheme`` (``"ckks"``, the default, or ``"bfv-packed"``),
    ``max_parties`` (8), ``clip`` (1.0, the bound applied to each coordinate of an update), either
    ``poly_degree`` (4096 or 2048) or ``n_params`` (the model size: picks the degree giving the
    smallest ciphertexts), and per scheme ``scale_bits`` (ckks, default 25) or ``quant_bits``
    (bfv-packed, default 12). The scheme is part of the public context (and its fingerprint).
    """
    if mode not in MODES:
        raise HEError(f"unknown mode {mode!r}; expected one of {MODES}")
    if mode == "fedavg":
        scheme = options.pop("scheme", None) or DEFAULT_FEDAVG_SCHEME
        n_params = options.pop("n_params", None)
        params = _fedavg_scheme_params(scheme, n_params, options)
        parms = _seal_parms(params)
        sctx = seal.SEALContext(parms, True, seal.SEC_LEVEL_TYPE.TC128)
        keygen = seal.KeyGenerator(sctx)
        pk = seal.PublicKey()
        keygen.create_public_key(pk)
        parms_b, pk_b, sk_b = _seal_save(parms), _seal_save(pk), _seal_save(keygen.secret_key())
        public = _envelope(params, False, [parms_b, pk_b])
        secret_params = dict(params, public_fingerprint=fingerprint(public).hex())
        return _envelope(secret_params, True, [parms_b, pk_b, sk_b]), public
    if options:
        raise HEError(f"mode {mode!r} takes no options, got {sorted(options)}")
    params = _ckks_params(mode)
    ctx = ts.context(ts.SCHEME_TYPE.CKKS, params["n"], coeff_mod_bit_sizes=params["coeff"])
    ctx.global_scale = 2 ** params["scale_bits"]
    if params["galois"]:
        ctx.generate_galois_keys()
    pub_ts = ctx.serialize(save_public_key=True, save_secret_key=False, save_galois_keys=params["galois"],
                           save_relin_keys=True)
    public = _envelope(params, False, [pub_ts])
    secret_params = dict(params, public_fingerprint=fingerprint(public).hex())
    sec_ts = ctx.serialize(save_public_key=True, save_secret_key=True, save_galois_keys=False,
                           save_relin_keys=False)
    return _envelope(secret_params, True, [sec_ts]), public


def _seal_parms(params: dict):
    ckks = params["scheme"] == "ckks"
    parms = seal.EncryptionParameters(seal.SCHEME_TYPE.CKKS if ckks else seal.SCHEME_TYPE.BFV)
    parms.set_poly_modulus_degree(params["n"])
    parms.set_coeff_modulus(seal.CoeffModulus.Create(params["n"], params["coeff"]))
    if not ckks:
        parms.set_plain_modulus(params["plain_modulus"])
    return parms


def _expected_fedavg_params(params: dict) -> dict:
    if params.get("scheme") == "ckks":
        return _fedavg_ckks_params(params["scale_bits"], params["max_parties"], params["clip"], params["n"])
    if params.get("scheme") == "bfv-packed":
        return _fedavg_params(params["quant_bits"], params["max_parties"], params["clip"], params["n"])
    raise ContextRejected(f"unknown fedavg scheme {params.get('scheme')!r}")


@functools.lru_cache(maxsize=16)
def _load_context(data: bytes, want_secret: bool) -> HEContext:
    params, has_secret, sections = _open_envelope(data)
    mode = params["mode"]
    if not want_secret and has_secret:
        raise ContextRejected("context published as public carries a secret key")
    if want_secret and not has_secret:
        raise ContextRejected("a secret context is required to decrypt")
    fp = bytes.fromhex(params["public_fingerprint"]) if has_secret else fingerprint(data)
    hc = HEContext(mode=mode, params=params, fingerprint=fp, has_secret=has_secret)
    try:
        if mode == "fedavg":
            if len(sections) != (3 if has_secret else 2):
                raise ContextRejected("fedavg context has the wrong number of sections"
                                      + ("" if has_secret else " (a secret key published as public?)"))
            ckks = params.get("scheme") == "ckks"
            expect = _expected_fedavg_params(params)
            parms = _seal_load(seal.EncryptionParameters(seal.SCHEME_TYPE.CKKS if ckks else seal.SCHEME_TYPE.BFV),
                               None, sections[0])
            coeff = parms.coeff_modulus()
            if any(params.get(k) != expect[k] for k in expect) or \
                    parms.poly_modulus_degree() != params["n"] or \
                    [m.bit_count() for m in coeff] != params["coeff"] or \
                    (not ckks and parms.plain_modulus().value() != params["plain_modulus"]):
                raise ContextRejected("fedavg context parameters are inconsistent")
            sctx = seal.SEALContext(parms, True, seal.SEC_LEVEL_TYPE.TC128)
            if not sctx.parameters_set():
                raise ContextRejected(f"invalid SEAL parameters: {sctx.parameters_error_message()}")
            hc.seal_ctx = sctx
            hc.public_key = _seal_load(seal.PublicKey(), sctx, sections[1])
            if has_secret:
                hc.secret_key = _seal_load(seal.SecretKey(), sctx, sections[2])
            first = sctx.first_context_data()
            hc._cache["q"] = np.uint64(first.parms().coeff_modulus()[0].value())
            hc._cache["parms_id"] = list(sctx.first_parms_id())
            hc._cache["version"] = (sections[0][3], sections[0][4])  # SEAL header of parms
            if int(hc._cache["q"]) >= 1 << (8 * hc.width):
                raise ContextRejected("fedavg context parameters are inconsistent (q exceeds width)")
        else:
            if len(sections) != 1:
                raise ContextRejected("CKKS context has the wrong number of sections")
            tctx = ts.context_from(sections[0])
            if tctx.is_private() != has_secret:
                raise ContextRejected("context published as public carries a secret key"
                                      if not has_secret else "secret context lacks its secret key")
            hc.ts_ctx = tctx
    except ContextRejected:
        raise
    except Exception as e:  # SEAL/TenSEAL raise ValueError/RuntimeError on garbage
        raise ContextRejected(f"cannot load {mode} context: {e}") from e
    return hc


def load_public_context(public_ctx: bytes) -> HEContext:
    """Parse a public context; raises :class:`ContextRejected` if it carries a secret key."""
    return _load_context(bytes(public_ctx), False)


def load_secret_context(secret_ctx: bytes) -> HEContext:
    return _load_context(bytes(secret_ctx), True)


# --------------------------------------------------------------------------- blobs


@dataclass(frozen=True)
class BlobHeader:
    mode: str
    n_values: int
    n_ct: int
    n_parties: int
    checksum: int
    fingerprint: bytes
    scheme: str = "ckks"

    @property
    def size(self) -> int:
        return _BLOB_HEAD.size


def _checksum(payload) -> int:
    """Fast garbling check: sum of the payload's little-endian 64-bit words (mod 2^64), mixed
    with its length. Not a MAC: integrity against tampering is the SHA-256 committed on-chain."""
    b = bytes(payload) if len(payload) % 8 else payload
    if len(b) % 8:
        b = b + b"\0" * (8 - len(b) % 8)
    words = np.frombuffer(b, dtype="<u8")
    s = int(words.sum(dtype=np.uint64)) if words.size else 0
    return (s ^ (len(payload) * 0x9E3779B97F4A7C15)) & 0xFFFFFFFFFFFFFFFF


def _blob(hc: HEContext, n_values: int, n_ct: int, n_parties: int, payload: bytes) -> bytes:
    head = _BLOB_HEAD.pack(_BLOB_MAGIC, _VERSION, _MODE_ID[hc.mode], _SCHEME_ID[hc.scheme], n_values,
                           n_ct, n_parties, _checksum(payload), hc.fingerprint)
    return head + payload


def read_header(blob: bytes) -> BlobHeader:
    """Parse a blob header; raises :class:`CiphertextRejected` on anything malformed."""
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise CiphertextRejected(f"ciphertext must be bytes, got {type(blob).__name__}")
    if len(blob) < _BLOB_HEAD.size:
        raise CiphertextRejected(f"ciphertext too short ({len(blob)} bytes)")
    magic, version, mode_id, scheme_id, n_values, n_ct, n_parties, crc, fp = _BLOB_HEAD.unpack_from(blob)
    if magic != _BLOB_MAGIC:
        raise CiphertextRejected("not a datacap ciphertext (bad magic)")
    if version != _VERSION:
        raise CiphertextRejected(f"unsupported ciphertext version {version}")
    if not 1 <= mode_id <= len(MODES):
        raise CiphertextRejected(f"unknown mode id {mode_id}")
    if scheme_id not in _SCHEME_NAME:
        raise CiphertextRejected(f"unknown scheme id {scheme_id}")
    return BlobHeader(MODES[mode_id - 1], n_values, n_ct, n_parties, crc, fp, _SCHEME_NAME[scheme_id])


def _check(hc: HEContext, blob: bytes, n_values: int | None) -> tuple[BlobHeader, memoryview]:
    h = read_header(blob)
    if h.mode != hc.mode:
        raise CiphertextRejected(f"ciphertext is for mode {h.mode!r}, context is {hc.mode!r}")
    if h.fingerprint != hc.fingerprint:
        raise CiphertextRejected(
            f"ciphertext was made under context {h.fingerprint.hex()[:16]}..., "
            f"not {hc.fingerprint.hex()[:16]}... (wrong public context)")
    if h.scheme != hc.scheme:
        raise CiphertextRejected(f"ciphertext is a {h.scheme!r} ciphertext, context is {hc.scheme!r}")
    if n_values is not None and h.n_values != n_values:
        raise CiphertextRejected(f"ciphertext holds {h.n_values} values, expected {n_values}")
    expect_ct = -(-h.n_values // hc.per_ciphertext)
    if h.n_ct != expect_ct:
        raise CiphertextRejected(f"{h.n_ct} ciphertexts for {h.n_values} values (expected {expect_ct})")
    if not 1 <= h.n_parties <= hc.params["max_parties"]:
        raise CiphertextRejected(
            f"ciphertext sums {h.n_parties} parties; the context allows 1..{hc.params['max_parties']}")
    payload = memoryview(blob)[_BLOB_HEAD.size:]
    if _checksum(payload) != h.checksum:
        raise CiphertextRejected("ciphertext payload is garbled (checksum mismatch)")
    return h, payload


def _to_width(coeffs: np.ndarray, width: int) -> bytes:
    """uint64 coefficients (each < 2^(8*width)) as little-endian ``width``-byte integers."""
    c = np.ascontiguousarray(coeffs, dtype="<u8")
    if width == 8:
        return c.tobytes()
    if width == 4:
        return c.astype("<u4").tobytes()
    return c.view(np.uint8).reshape(-1, 8)[:, :width].tobytes()


def _from_width(payload, width: int) -> np.ndarray:
    if width == 8:
        return np.frombuffer(payload, dtype="<u8")
    if width == 4:
        return np.frombuffer(payload, dtype="<u4").astype(np.uint64)
    raw = np.frombuffer(payload, dtype=np.uint8).reshape(-1, width)
    out = np.zeros((raw.shape[0], 8), dtype=np.uint8)
    out[:, :width] = raw
    return out.view("<u8").reshape(-1)


def _fedavg_coeffs(hc: HEContext, h: BlobHeader, payload, narrow: bool = False) -> np.ndarray:
    """The blob's coefficients as uint64 (or, with ``narrow`` and width 4, a zero-copy uint32 view)."""
    n, width = hc.params["n"], hc.width
    if len(payload) != h.n_ct * 2 * n * width:
        raise CiphertextRejected(
            f"payload is {len(payload)} bytes, expected {h.n_ct * 2 * n * width} for {h.n_ct} ciphertexts")
    arr = np.frombuffer(payload, dtype="<u4") if narrow and width == 4 else _from_width(payload, width)
    if arr.size and int(arr.max()) >= int(hc._cache["q"]):
        raise CiphertextRejected("ciphertext coefficient out of range (garbled or foreign ciphertext)")
    return arr


def _ckks_chunks(h: BlobHeader, payload) -> list[bytes]:
    out, off, data = [], 0, bytes(payload)
    for _ in range(h.n_ct):
        if off + 4 > len(data):
            raise CiphertextRejected("truncated ciphertext payload")
        (ln,) = struct.unpack_from("<I", data, off)
        off += 4
        if off + ln > len(data):
            raise CiphertextRejected("truncated ciphertext payload")
        out.append(data[off:off + ln])
        off += ln
    if off != len(data):
        raise CiphertextRejected("trailing bytes after ciphertexts")
    return out


def ckks_vectors(hc: HEContext, blob: bytes, n_values: int | None = None) -> list:
    """Load a CKKS blob as TenSEAL vectors linked to ``hc`` (validating it)."""
    h, payload = _check(hc, blob, n_values)
    vecs = []
    for i, c in enumerate(_ckks_chunks(h, payload)):
        try:
            v = ts.ckks_vector_from(hc.ts_ctx, c)
        except Exception as e:
            raise CiphertextRejected(f"ciphertext {i} does not deserialize under this context: {e}") from e
        want = min(hc.slots, h.n_values - i * hc.slots)
        if v.size() != want:
            raise CiphertextRejected(f"ciphertext {i} holds {v.size()} values, expected {want}")
        vecs.append(v)
    return vecs


def pack_ckks(hc: HEContext, vectors: list, n_values: int, n_parties: int = 1) -> bytes:
    """Serialize TenSEAL CKKS vectors as one blob."""
    payload = b"".join(struct.pack("<I", len(b)) + b for b in (v.serialize() for v in vectors))
    return _blob(hc, n_values, len(vectors), n_parties, payload)


def validate_ciphertext(public_ctx: bytes, blob: bytes, n_values: int | None = None,
                        n_parties: int | None = None) -> BlobHeader:
    """Raise :class:`CiphertextRejected` unless ``blob`` is a well-formed ciphertext for ``public_ctx``.

    Checks magic, version, mode, the public-context fingerprint, the value count (when given),
    the party count (when given: a single owner's update must claim exactly 1 party, else a forged
    header could pass alone and make the aggregate exceed the context's party limit), the payload
    checksum and, per mode, that every ciphertext deserializes (CKKS) or every coefficient lies
    below the modulus (BFV).
    """
    hc = load_public_context(public_ctx)
    if n_parties is not None:
        h = read_header(blob)
        if h.n_parties != n_parties:
            raise CiphertextRejected(f"ciphertext header claims {h.n_parties} parties, expected {n_parties}")
    if hc.mode == "fedavg":
        h, payload = _check(hc, blob, n_values)
        _fedavg_coeffs(hc, h, payload)
        return h
    ckks_vectors(hc, blob, n_values)
    return read_header(blob)


# --------------------------------------------------------------------------- fedavg packing


def _qmax(p: dict) -> int:
    return (1 << (p["quant_bits"] - 1)) - 1


def weight_units(params: dict, weight: float) -> int:
    """bfv-packed: the exact integer a FedAvg weight in [0, 1] is encrypted as (a sum of them decrypts exactly)."""
    return int(round(float(weight) * _qmax(params)))


def _stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    lo = np.floor(x)
    return (lo + (rng.random(x.shape) < (x - lo))).astype(np.int64)


def _pack_lanes(ints: np.ndarray, p: dict) -> np.ndarray:
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


def _unpack_lanes(slots: np.ndarray, n_values: int, p: dict) -> np.ndarray:
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


def _bfv_encrypt_slots(hc: HEContext, slots: np.ndarray) -> np.ndarray:
    enc = hc._cache.get("encryptor")
    if enc is None:
        enc = hc._cache["encryptor"] = seal.Encryptor(hc.seal_ctx, hc.public_key)
        hc._cache["encoder"] = seal.BatchEncoder(hc.seal_ctx)
    encoder = hc._cache["encoder"]
    n = hc.params["n"]
    out = np.empty((slots.shape[0], 2 * n), dtype=np.uint64)
    for i, row in enumerate(slots):
        pt, ct = seal.Plaintext(), seal.Ciphertext()
        encoder.encode(row.tolist(), pt)
        enc.encrypt(pt, ct)
        if ct.size() != 2 or ct.coeff_modulus_size() != 1 or ct.is_ntt_form():
            raise HEError("unexpected ciphertext shape from SEAL")
        da = ct.dyn_array()
        out[i] = np.fromiter((da.at(j) for j in range(2 * n)), dtype=np.uint64, count=2 * n)
    return out


def _ckks_encrypt_slots(hc: HEContext, vals: np.ndarray) -> np.ndarray:
    """Encode ``vals`` N/2 per ciphertext at the context's scale and encrypt (fedavg ckks)."""
    enc = hc._cache.get("encryptor")
    if enc is None:
        enc = hc._cache["encryptor"] = seal.Encryptor(hc.seal_ctx, hc.public_key)
        hc._cache["encoder"] = seal.CKKSEncoder(hc.seal_ctx)
    encoder, n, slots = hc._cache["encoder"], hc.params["n"], hc.slots
    scale = float(2 ** hc.params["scale_bits"])
    n_ct = -(-vals.size // slots)
    out = np.empty((n_ct, 2 * n), dtype=np.uint64)
    for i in range(n_ct):
        pt, ct = seal.Plaintext(), seal.Ciphertext()
        encoder.encode(vals[i * slots:(i + 1) * slots].tolist(), scale, pt)
        enc.encrypt(pt, ct)
        if ct.size() != 2 or ct.coeff_modulus_size() != 1 or not ct.is_ntt_form():
            raise HEError("unexpected ciphertext shape from SEAL")
        da = ct.dyn_array()
        out[i] = np.fromiter(map(da.at, range(2 * n)), dtype=np.uint64, count=2 * n)
    return out


def _decryptor(hc: HEContext, encoder_cls) -> tuple:
    """The context's SEAL decryptor and encoder, built once and cached on the context."""
    if "decryptor" not in hc._cache:
        hc._cache["decryptor"] = seal.Decryptor(hc.seal_ctx, hc.secret_key)
        hc._cache["encoder"] = encoder_cls(hc.seal_ctx)
    return hc._cache["decryptor"], hc._cache["encoder"]


def _ckks_decrypt_slots(hc: HEContext, coeffs: np.ndarray, n_ct: int) -> np.ndarray:
    n = hc.params["n"]
    dec, encoder = _decryptor(hc, seal.CKKSEncoder)
    scale = float(2 ** hc.params["scale_bits"])
    out = []
    for i in range(n_ct):
        raw = _seal_ciphertext_bytes(coeffs[i * 2 * n:(i + 1) * 2 * n], hc._cache["parms_id"], n,
                                     hc._cache["version"], ntt=True, scale=scale)
        ct = _seal_load(seal.Ciphertext(), hc.seal_ctx, raw)
        pt = seal.Plaintext()
        dec.decrypt(ct, pt)
        out.append(np.asarray(encoder.decode_double(pt), dtype=np.float64))
    return np.concatenate(out)


def encrypt_update(public_ctx: bytes, vector: np.ndarray, weight: float = 1.0,
                   seed: int | None = None) -> bytes:
    """Encrypt ``weight * vector`` for add-only aggregation (mode ``fedavg``).

    ``vector`` is the owner's update (new weights minus global weights), clipped to the context's
    ``[-clip, clip]``; ``weight`` in [0, 1] is the owner's sample weight (e.g. its sample count
    divided by the job's maximum). The weight itself travels in one extra encrypted value so the
    trainer divides by the sum of weights. ``seed`` fixes the stochastic rounding (bfv-packed;
    CKKS encodes the weighted reals directly). The scheme is the context's.
    """
    hc = load_public_context(public_ctx)
    if hc.mode != "fedavg":
        raise HEError(f"encrypt_update needs a fedavg context, got {hc.mode!r}")
    p = hc.params
    v = np.asarray(vector, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(v)):
        raise HEError("update contains NaN or infinity")
    if not 0.0 <= float(weight) <= 1.0:
        raise HEError(f"weight must be in [0, 1], got {weight}")
    if hc.scheme == "ckks":
        vals = np.append(np.clip(v, -p["clip"], p["clip"]) * float(weight), float(weight))
        cts = _ckks_encrypt_slots(hc, vals)
        return _blob(hc, v.size, cts.shape[0], 1, _to_width(cts, hc.width))
    qmax = _qmax(p)
    w_int = weight_units(p, weight)
    rng = np.random.default_rng(seed)
    scaled = np.clip(v, -p["clip"], p["clip"]) * (w_int / p["clip"])
    ints = np.clip(_stochastic_round(scaled, rng), -qmax, qmax)
    ints = np.append(ints, w_int)
    cts = _bfv_encrypt_slots(hc, _pack_lanes(ints, p))
    return _blob(hc, v.size, cts.shape[0], 1, _to_width(cts, hc.width))


def encrypt_values(public_ctx: bytes, values: np.ndarray) -> bytes:
    """Encrypt real values with CKKS (modes ``stats`` and ``encrypted-model``)."""
    hc = load_public_context(public_ctx)
    if hc.mode == "fedavg":
        raise HEError("use encrypt_update for fedavg contexts")
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if v.size == 0 or not np.all(np.isfinite(v)):
        raise HEError("values must be a non-empty finite vector")
    vecs = [ts.ckks_vector(hc.ts_ctx, v[i:i + hc.slots].tolist()) for i in range(0, v.size, hc.slots)]
    return pack_ckks(hc, vecs, v.size)


# --------------------------------------------------------------------------- aggregation


def aggregate(public_ctx: bytes, blobs: Sequence[bytes], n_values: int | None = None) -> bytes:
    """Sum ciphertext blobs in the order given; deterministic (same inputs, same bytes).

    Every blob is validated first (:class:`CiphertextRejected` names the first bad one by index).
    """
    hc = load_public_context(public_ctx)
    if not blobs:
        raise HEError("nothing to aggregate")
    heads, payloads = [], []
    for i, b in enumerate(blobs):
        try:
            h, payload = _check(hc, b, n_values)
        except CiphertextRejected as e:
            raise CiphertextRejected(f"blob {i}: {e}") from e
        if n_values is None:
            n_values = h.n_values
        heads.append(h)
        payloads.append(payload)
    parties = sum(h.n_parties for h in heads)
    if parties > hc.params["max_parties"]:
        raise CiphertextRejected(
            f"aggregate would sum {parties} parties; the context allows {hc.params['max_parties']}")
    if hc.mode == "fedavg":
        arrays = []
        for i, (h, payload) in enumerate(zip(heads, payloads)):
            try:
                arrays.append(_fedavg_coeffs(hc, h, payload, narrow=True))
            except CiphertextRejected as e:
                raise CiphertextRejected(f"blob {i}: {e}") from e
        acc = _sum_mod(arrays, hc._cache["q"])
        return _blob(hc, n_values, heads[0].n_ct, parties, _to_width(acc, hc.width))
    total = None
    for i, b in enumerate(blobs):
        try:
            vecs = ckks_vectors(hc, b, n_values)
        except CiphertextRejected as e:
            raise CiphertextRejected(f"blob {i}: {e}") from e
        if total is None:
            total = vecs
        else:
            for t, v in zip(total, vecs):
                t.add_(v)
    return pack_ckks(hc, total, n_values, parties)


def _sum_mod(arrays: list[np.ndarray], q: np.uint64) -> np.ndarray:
    """Exact sum mod q of uint64 arrays whose entries are < q < 2^60 (SEAL's add, vectorized).

    Up to 2^64/q terms (16 for a 60-bit q) are added without reduction, then reduced by conditional
    subtraction of ..., 4q, 2q, q, each as ``min(x, x - kq)`` (a wrapped difference is larger).
    """
    acc = arrays[0].astype(np.uint64)  # (a copy; arrays may be uint32 views of the payload)
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


# --------------------------------------------------------------------------- decryption


def _bfv_decrypt_slots(hc: HEContext, coeffs: np.ndarray, n_ct: int) -> np.ndarray:
    n = hc.params["n"]
    dec, encoder = _decryptor(hc, seal.BatchEncoder)
    out = np.empty((n_ct, n), dtype=np.int64)
    for i in range(n_ct):
        raw = _seal_ciphertext_bytes(coeffs[i * 2 * n:(i + 1) * 2 * n], hc._cache["parms_id"], n,
                                     hc._cache["version"])
        ct = _seal_load(seal.Ciphertext(), hc.seal_ctx, raw)
        pt = seal.Plaintext()
        dec.decrypt(ct, pt)
        if dec.invariant_noise_budget(ct) <= 0:
            raise HEError("noise budget exhausted: ciphertext cannot be decrypted exactly")
        out[i] = np.asarray(encoder.decode_int64(pt), dtype=np.int64)
    return out


def decrypt_sum(secret_ctx: bytes, blob: bytes, n: int | None = None) -> tuple[np.ndarray, float]:
    """Decrypt a fedavg (aggregate) blob into ``(sum of weight_i * update_i, sum of weight_i)``."""
    hc = load_secret_context(secret_ctx)
    if hc.mode != "fedavg":
        raise HEError(f"decrypt_sum needs a fedavg context, got {hc.mode!r}")
    h, payload = _check(hc, blob, n)
    coeffs = _fedavg_coeffs(hc, h, payload)
    if hc.scheme == "ckks":
        vals = _ckks_decrypt_slots(hc, coeffs, h.n_ct)[:h.n_values + 1]
        return vals[:-1], float(vals[-1])
    ints = _unpack_lanes(_bfv_decrypt_slots(hc, coeffs, h.n_ct), h.n_values + 1, hc.params)
    qmax = _qmax(hc.params)
    total_weight = ints[-1] / qmax
    return ints[:-1].astype(np.float64) * (hc.params["clip"] / qmax), float(total_weight)


def decrypt(secret_ctx: bytes, blob: bytes, n: int | None = None) -> np.ndarray:
    """Decrypt an aggregate.

    fedavg: the weighted mean update ``sum(w_i u_i) / sum(w_i)`` (float64, length ``n``).
    stats / encrypted-model: the decrypted real values.
    """
    hc = load_secret_context(secret_ctx)
    if hc.mode == "fedavg":
        s, w = decrypt_sum(secret_ctx, blob, n)
        if w <= 0:
            raise HEError("aggregate has zero total weight")
        return s / w
    return decrypt_values(secret_ctx, blob, n)


def decrypt_values(secret_ctx: bytes, blob: bytes, n: int | None = None) -> np.ndarray:
    hc = load_secret_context(secret_ctx)
    if hc.mode == "fedavg":
        raise HEError("use decrypt / decrypt_sum for fedavg blobs")
    vecs = ckks_vectors(hc, blob, n)
    return np.concatenate([np.asarray(v.decrypt(), dtype=np.float64) for v in vecs])


# --------------------------------------------------------------------------- masking hooks (orchestrator.secagg)


@dataclass(frozen=True)
class MaskDomain:
    """Where secure-aggregation masks of a fedavg blob live: one value per coefficient of each ciphertext's
    first polynomial c0 (``count`` of them), uniform modulo the plaintext modulus ``modulus`` (bfv-packed: t,
    the plaintext coefficients; ckks: the ring's q, the coefficients themselves), added scaled by q/t."""

    count: int
    modulus: int
    q: int


def mask_domain(public_ctx: bytes, n_values: int) -> MaskDomain:
    hc = load_public_context(public_ctx)
    if hc.mode != "fedavg":
        raise HEError(f"masks go on fedavg blobs, not {hc.mode!r}")
    n_ct = -(-int(n_values) // hc.per_ciphertext)
    q = int(hc._cache["q"])
    return MaskDomain(n_ct * hc.params["n"], hc.params["plain_modulus"] if hc.scheme == "bfv-packed" else q, q)


def add_mask(public_ctx: bytes, blob: bytes, mask: np.ndarray, subtract: bool = False) -> bytes:
    """``blob`` with ``round(q/t * mask)`` added to (or subtracted from) c0 of each ciphertext, mod q.

    Decryption then yields plaintext + mask (mod t). A sum of such terms whose masks add up to 0 mod t
    differs from the unmasked sum by a multiple of q plus a rounding error of at most 1/2 per term, far
    below the decryption tolerance q/(2t), so masked sums decrypt exactly to the unmasked ones. The header
    (value and party counts) is kept; the checksum is recomputed.
    """
    hc = load_public_context(public_ctx)
    h, payload = _check(hc, blob, None)
    dom = mask_domain(public_ctx, h.n_values)
    m = np.asarray(mask, dtype=np.uint64).reshape(-1)
    if m.size != dom.count or (m.size and int(m.max()) >= dom.modulus):
        raise HEError(f"mask must be {dom.count} values below {dom.modulus}")
    q, t = dom.q, dom.modulus
    shift = m if t == q else ((m.astype(object) * q + t // 2) // t % q).astype(np.uint64)
    if subtract:
        shift = np.where(shift == 0, shift, np.uint64(q) - shift)
    n = hc.params["n"]
    coeffs = _fedavg_coeffs(hc, h, payload).copy().reshape(h.n_ct, 2, n)
    c0 = coeffs[:, 0, :].reshape(-1)
    qq = np.uint64(q)
    c0 = np.where(c0 >= qq - shift, c0 - (qq - shift), c0 + shift)  # (c0 + shift) mod q, no overflow
    coeffs[:, 0, :] = c0.reshape(h.n_ct, n)
    return _blob(hc, h.n_values, h.n_ct, h.n_parties, _to_width(coeffs.reshape(-1), hc.width))
