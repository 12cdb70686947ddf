"""Homomorphic encryption of model updates, statistics and gradients (SEAL through TenSEAL).

Three modes, each with parameters sized for the depth it needs and no more:

``fedavg``
    Add-only; the owner weights its update in plaintext and the aggregator only sums. Two schemes,
    chosen at key generation (``scheme=``) and recorded in the public context (hence in its
    fingerprint) and in every blob header: ``ckks`` (the default; :mod:`.ckks_fedavg`, polynomials
    mod 2^32, 8 B per value, summed as uint32) and ``bfv-packed`` (:mod:`.bfv_packed`, exact
    quantized integers, lanes packed per slot).
``stats`` and ``encrypted-model``
    TenSEAL CKKS vectors (:mod:`.ckks_vectors`).

Framing (:mod:`.envelope`): a context is an envelope of parameters and sections; the public one never
holds a secret key (:func:`load_public_context` rejects one that does). Ciphertext blobs carry a
header (mode, scheme, value count, party count, the public context's fingerprint, a payload checksum)
so that a blob made under another context, with another length, or garbled in transit is rejected
before it is summed. Each scheme implements :class:`.scheme.Scheme`.

Secure aggregation hooks in through :func:`mask_domain` and :func:`add_mask` (every mode): masks that
sum to zero in the domain cancel exactly, so the aggregate decrypts exactly as without them.
"""
from __future__ import annotations

import functools
from typing import Sequence

import numpy as np

from . import ckks_vectors as _vectors
from .bfv_packed import BfvPacked, weight_units
from .ckks_fedavg import CkksFedAvg
from .ckks_vectors import CkksVectors
from .envelope import MODES, BlobHeader, bind, fingerprint, open_context, pack_context, pack_header, read_header
from .envelope import BLOB_HEAD, checksum
from .errors import CiphertextRejected, ContextRejected, HEError
from .scheme import HEContext, MaskDomain, Scheme

__all__ = [
    "MODES", "FEDAVG_SCHEMES", "DEFAULT_FEDAVG_SCHEME", "HEError", "ContextRejected", "CiphertextRejected",
    "HEContext", "BlobHeader", "MaskDomain", "Scheme", "generate_keys", "load_public_context",
    "load_secret_context", "fingerprint", "encrypt_update", "encrypt_values", "aggregate", "decrypt",
    "decrypt_sum", "decrypt_values", "validate_ciphertext", "read_header", "bind", "ckks_vectors", "pack_ckks",
    "mask_domain", "add_mask", "weight_units",
]

#: fedavg scheme name -> implementation
FEDAVG = {s.name: s for s in (CkksFedAvg(), BfvPacked())}
FEDAVG_SCHEMES = ("ckks", "bfv-packed")
DEFAULT_FEDAVG_SCHEME = "ckks"
_VECTORS = CkksVectors()


def _scheme_of(params: dict) -> Scheme:
    if params["mode"] != "fedavg":
        return _VECTORS
    impl = FEDAVG.get(params.get("scheme"))
    if impl is None:
        raise HEError(f"unknown fedavg scheme {params.get('scheme')!r}; expected one of {FEDAVG_SCHEMES}")
    return impl


# --------------------------------------------------------------------------- contexts


def generate_keys(mode: str = "fedavg", **options) -> tuple[bytes, bytes]:
    """Make a key pair for ``mode``.

    Returns ``(secret_context_bytes, public_context_bytes)``. The public context holds no secret
    key. ``fedavg`` accepts ``scheme`` (``"ckks"``, the default, or ``"bfv-packed"``),
    ``max_parties`` (8), ``clip`` (1.0, the bound applied to each coordinate of an update), either
    ``poly_degree`` (4096 or 2048) or ``n_params`` (the model size: picks the degree giving the
    smallest ciphertexts), and per scheme ``scale_bits`` (ckks; default: the largest that cannot
    wrap for ``max_parties``) or ``quant_bits`` (bfv-packed, default 12).
    """
    if mode not in MODES:
        raise HEError(f"unknown mode {mode!r}; expected one of {MODES}")
    n_params = None
    if mode == "fedavg":
        scheme = options.pop("scheme", None) or DEFAULT_FEDAVG_SCHEME
        n_params = options.pop("n_params", None)
        impl = _scheme_of({"mode": mode, "scheme": scheme})
    else:
        impl = _VECTORS
    params = impl.make_params(mode, n_params, options)
    public_sections, secret_section = impl.keygen(params)
    public = pack_context(params, False, public_sections)
    secret_params = dict(params, public_fingerprint=fingerprint(public).hex())
    if mode == "fedavg":  # the SEAL secret key beside the public sections
        secret = pack_context(secret_params, True, public_sections + [secret_section])
    else:  # TenSEAL serializes the whole private context in one section
        secret = pack_context(secret_params, True, [secret_section])
    return secret, public


@functools.lru_cache(maxsize=16)
def _load_context(data: bytes, want_secret: bool) -> HEContext:
    params, has_secret, sections = open_context(data)
    if not want_secret and has_secret:
        raise ContextRejected("context published as public carries a secret key")
    if want_secret and not has_secret:
        raise ContextRejected("a secret context is required to decrypt")
    fp = bytes.fromhex(params["public_fingerprint"]) if has_secret else fingerprint(data)
    try:
        impl = _scheme_of(params)
        expect = impl.expected_params(params)
    except HEError as e:
        raise ContextRejected(f"unusable context parameters: {e}") from e
    if any(params.get(k) != v for k, v in expect.items()):
        raise ContextRejected(f"{params['mode']} context parameters are inconsistent")
    hc = HEContext(mode=params["mode"], params=params, fingerprint=fp, has_secret=has_secret, impl=impl)
    try:
        impl.load(hc, sections)
    except ContextRejected:
        raise
    except Exception as e:  # SEAL/TenSEAL raise ValueError/RuntimeError on garbage
        raise ContextRejected(f"cannot load {params['mode']} context: {e}") from e
    return hc


def load_public_context(public_ctx: bytes) -> HEContext:
    """Parse a public context; raises :class:`ContextRejected` if it carries a secret key."""
    return _load_context(bytes(public_ctx), False)


def load_secret_context(secret_ctx: bytes) -> HEContext:
    return _load_context(bytes(secret_ctx), True)


# --------------------------------------------------------------------------- blobs


def _blob(hc: HEContext, n_values: int, n_ct: int, n_parties: int, payload: bytes) -> bytes:
    return pack_header(hc.mode, hc.scheme, n_values, n_ct, n_parties, payload, hc.fingerprint) + payload


def _check(hc: HEContext, blob: bytes, n_values: int | None, index: int | None = None, crc: bool = True
           ) -> tuple[BlobHeader, memoryview]:
    """The header and payload of ``blob`` after every check that needs no decryption (``crc=False``: all
    but the checksum, which the caller verifies on the sum)."""
    try:
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
        extra = 1 if hc.mode == "fedavg" else 0  # fedavg carries the weight as one more value
        expect_ct = -(-(h.n_values + extra) // hc.per_ciphertext)
        if h.n_ct != expect_ct:
            raise CiphertextRejected(f"{h.n_ct} ciphertexts for {h.n_values} values (expected {expect_ct})")
        if not 1 <= h.n_parties <= hc.params["max_parties"]:
            raise CiphertextRejected(
                f"ciphertext sums {h.n_parties} parties; the context allows 1..{hc.params['max_parties']}")
        payload = memoryview(blob)[BLOB_HEAD.size:]
        if crc and checksum(payload) != h.checksum:
            raise CiphertextRejected("ciphertext payload is garbled (checksum mismatch)")
        hc.impl.check_payload(hc, h, payload)
    except CiphertextRejected as e:
        if index is None or e.index is not None:
            raise
        raise CiphertextRejected(str(e), index) from e
    return h, payload


def validate_ciphertext(public_ctx: bytes, blob: bytes, n_values: int | None = None,
                        n_parties: int | None = None) -> BlobHeader:
    """Raise :class:`CiphertextRejected` unless ``blob`` is a well-formed ciphertext for ``public_ctx``.

    Checks magic, version, mode, the public-context fingerprint, the value count (when given),
    the party count (when given: a single owner's update must claim exactly 1 party, else a forged
    header could pass alone and make the aggregate exceed the context's party limit), the payload
    checksum and the scheme's payload format (length; coefficients below q for BFV; every
    ciphertext deserializes for TenSEAL vectors).
    """
    hc = load_public_context(public_ctx)
    h, _ = _check(hc, blob, n_values)
    if n_parties is not None and h.n_parties != n_parties:
        raise CiphertextRejected(f"ciphertext header claims {h.n_parties} parties, expected {n_parties}")
    return h


# --------------------------------------------------------------------------- fedavg


def _fedavg_context(public_ctx: bytes, what: str) -> HEContext:
    hc = load_public_context(public_ctx)
    if hc.mode != "fedavg":
        raise HEError(f"{what} needs a fedavg context, got {hc.mode!r}")
    return hc


def encrypt_update(public_ctx: bytes, vector: np.ndarray, weight: float = 1.0,
                   seed: int | None = None) -> bytes:
    """Encrypt ``weight * vector`` for add-only aggregation (mode ``fedavg``).

    ``vector`` is the owner's update (new weights minus global weights), clipped to the context's
    ``[-clip, clip]``; ``weight`` in [0, 1] is the owner's sample weight (e.g. its sample count
    divided by the job's maximum). The weight itself travels in one extra encrypted value so the
    trainer divides by the sum of weights. ``seed`` fixes the stochastic rounding (bfv-packed;
    CKKS encodes the weighted reals directly). The scheme is the context's.
    """
    hc = _fedavg_context(public_ctx, "encrypt_update")
    v = np.asarray(vector, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(v)):
        raise HEError("update contains NaN or infinity")
    if not 0.0 <= float(weight) <= 1.0:
        raise HEError(f"weight must be in [0, 1], got {weight}")
    clip = hc.params["clip"]
    n_ct, payload = hc.impl.encrypt_update(hc, np.clip(v, -clip, clip), float(weight), seed)
    return _blob(hc, v.size, n_ct, 1, payload)


def mask_domain(public_ctx: bytes, blob: bytes) -> MaskDomain:
    """Where secure aggregation's masks for ``blob`` live (an owner's update or an aggregate: both have the
    same domain): see :class:`MaskDomain`."""
    hc = load_public_context(public_ctx)
    h, payload = _check(hc, blob, None)
    return hc.impl.mask_domain(hc, h.n_ct, payload)


def add_mask(public_ctx: bytes, blob: bytes, mask: np.ndarray, subtract: bool = False) -> bytes:
    """``blob`` with ``mask`` (in :func:`mask_domain`) added to (or subtracted from) c0 of each ciphertext.

    Public-key only and deterministic, so an owner masks its worker's ciphertext in its own process. The
    header (value and party counts) is kept; the checksum is recomputed.
    """
    hc = load_public_context(public_ctx)
    h, payload = _check(hc, blob, None)
    dom = hc.impl.mask_domain(hc, h.n_ct, payload)
    m = np.asarray(mask).reshape(-1)
    if m.size != dom.count or m.dtype.kind not in "ui" or (m.size and int(m.min()) < 0):
        raise HEError(f"mask must be {dom.count} non-negative integers")
    at = 0
    for count, modulus in dom.segments:
        if count and int(m[at:at + count].max()) >= modulus:
            raise HEError(f"mask values {at}..{at + count - 1} must be below {modulus}")
        at += count
    return _blob(hc, h.n_values, h.n_ct, h.n_parties,
                 hc.impl.add_mask(hc, h.n_ct, payload, m.astype(np.uint64), subtract))


# --------------------------------------------------------------------------- aggregation


def aggregate(public_ctx: bytes, blobs: Sequence[bytes], n_values: int | None = None) -> bytes:
    """Sum ciphertext blobs in the order given; deterministic (same inputs, same bytes).

    Every blob is validated first (:class:`CiphertextRejected` names the first bad one: ``exc.index``).
    """
    hc = load_public_context(public_ctx)
    if not blobs:
        raise HEError("nothing to aggregate")
    linear = hc.impl.linear  # checksums add up: one pass over the sum checks every input
    heads, payloads = [], []
    for i, b in enumerate(blobs):
        h, payload = _check(hc, b, n_values, index=i, crc=not linear)
        n_values = h.n_values
        heads.append(h)
        payloads.append(payload)
    parties = sum(h.n_parties for h in heads)
    if parties > hc.params["max_parties"]:
        raise CiphertextRejected(
            f"aggregate would sum {parties} parties; the context allows {hc.params['max_parties']}")
    n_ct = heads[0].n_ct
    if not linear:
        return _blob(hc, n_values, n_ct, parties, hc.impl.add(hc, n_ct, payloads))
    out = bytearray(BLOB_HEAD.size + len(payloads[0]))
    hc.impl.add(hc, n_ct, payloads, memoryview(out)[BLOB_HEAD.size:])
    crc = sum(h.checksum for h in heads) % (1 << 32)
    if checksum(memoryview(out)[BLOB_HEAD.size:]) != crc:
        for i, b in enumerate(blobs):  # name the garbled input
            _check(hc, b, n_values, index=i)
        raise CiphertextRejected("ciphertext payloads are garbled (checksum mismatch)")
    out[:BLOB_HEAD.size] = pack_header(hc.mode, hc.scheme, n_values, n_ct, parties, None, hc.fingerprint, crc)
    return bytes(out)


# --------------------------------------------------------------------------- decryption


def decrypt_sum(secret_ctx: bytes, blob: bytes, n: int | None = None) -> tuple[np.ndarray, float]:
    """Decrypt a fedavg (aggregate) blob into ``(sum of weight_i * update_i, sum of weight_i)``."""
    hc = load_secret_context(secret_ctx)
    if hc.mode != "fedavg":
        raise HEError(f"decrypt_sum needs a fedavg context, got {hc.mode!r}")
    h, payload = _check(hc, blob, n)
    return hc.impl.decrypt_sum(hc, h.n_values, h.n_ct, payload)


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


# --------------------------------------------------------------------------- stats / encrypted-model


def encrypt_values(public_ctx: bytes, values: np.ndarray) -> bytes:
    """Encrypt real values with CKKS (modes ``stats`` and ``encrypted-model``)."""
    hc = load_public_context(public_ctx)
    if hc.mode == "fedavg":
        raise HEError("use encrypt_update for fedavg contexts")
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if v.size == 0 or not np.all(np.isfinite(v)):
        raise HEError("values must be a non-empty finite vector")
    return pack_ckks(hc, _vectors.encrypt(hc, v), v.size)


def ckks_vectors(hc: HEContext, blob: bytes, n_values: int | None = None) -> list:
    """Load a CKKS blob as TenSEAL vectors linked to ``hc`` (validating it)."""
    h, payload = _check(hc, blob, n_values)
    return _vectors.vectors_of(hc, h.n_ct, h.n_values, payload)


def pack_ckks(hc: HEContext, vectors: list, n_values: int, n_parties: int = 1) -> bytes:
    """Serialize TenSEAL CKKS vectors as one blob."""
    return _blob(hc, n_values, len(vectors), n_parties, _vectors.payload_of(vectors))


def decrypt_values(secret_ctx: bytes, blob: bytes, n: int | None = None) -> np.ndarray:
    hc = load_secret_context(secret_ctx)
    if hc.mode == "fedavg":
        raise HEError("use decrypt / decrypt_sum for fedavg blobs")
    return _vectors.decrypt(ckks_vectors(hc, blob, n))
