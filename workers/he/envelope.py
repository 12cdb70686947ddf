"""Framing shared by every scheme: the context envelope and the ciphertext blob header.

A context travels as ``magic, version, has_secret, JSON parameters, sections`` (the sections are
the scheme's SEAL/TenSEAL objects). A blob is a fixed header -- magic, version, mode, scheme, value
count, ciphertext count, party count, a checksum of the payload, the SHA-256 fingerprint of the
public context and the sender binding (an owner's update names its chain, market, job, round and sender;
zero on a sum) -- followed by the scheme's payload. The committed SHA-256 covers the whole header.
"""
from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass

import numpy as np

from .errors import CiphertextRejected, ContextRejected

MODES = ("fedavg", "stats", "encrypted-model")
MODE_ID = {m: i + 1 for i, m in enumerate(MODES)}
#: scheme name <-> the id stored in blob headers
SCHEME_ID = {"bfv-packed": 1, "ckks": 2}
SCHEME_NAME = {v: k for k, v in SCHEME_ID.items()}

CTX_MAGIC = b"DCHC"
BLOB_MAGIC = b"DCHE"
#: version 2: the fedavg CKKS payload is the 2^32 coefficient format (version 1 was mod q, NTT form);
#: version 3: the header carries the sender binding
VERSION = 3
# magic, version, mode, scheme, n_values, n_ct, n_parties, payload checksum, fingerprint, binding, padding
# to 128 bytes (so the payload is 64-byte aligned in the blob and numpy reads it at full speed)
BLOB_HEAD = struct.Struct("<4sBBHIIIQ32s32s36x")
_BINDING_AT = BLOB_HEAD.size - 36 - 32  # offset of the binding field
_CTX_HEAD = struct.Struct("<BBI")  # version, has_secret, JSON length


def split_sections(data: bytes, off: int, count: int, error=CiphertextRejected, what: str = "ciphertext payload"
                   ) -> list[bytes]:
    """``count`` u32-length-prefixed byte strings from ``off`` to the end of ``data`` (raises ``error``)."""
    out = []
    for _ in range(count):
        if off + 4 > len(data):
            raise error(f"truncated {what}")
        (ln,) = struct.unpack_from("<I", data, off)
        off += 4
        if off + ln > len(data):
            raise error(f"truncated {what}")
        out.append(data[off:off + ln])
        off += ln
    if off != len(data):
        raise error(f"trailing bytes after {what}")
    return out


def fingerprint(public_ctx: bytes) -> bytes:
    """SHA-256 of the public context envelope (what blobs name and the chain can commit)."""
    return hashlib.sha256(public_ctx).digest()


def pack_context(params: dict, has_secret: bool, sections: list[bytes]) -> bytes:
    js = json.dumps(params, sort_keys=True, separators=(",", ":")).encode()
    out = [CTX_MAGIC, _CTX_HEAD.pack(VERSION, int(has_secret), len(js)), js, struct.pack("<B", len(sections))]
    for s in sections:
        out += [struct.pack("<I", len(s)), s]
    return b"".join(out)


def open_context(data: bytes) -> tuple[dict, bool, list[bytes]]:
    """``(params, has_secret, sections)`` of an envelope; :class:`ContextRejected` if malformed."""
    try:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ContextRejected(f"context must be bytes, got {type(data).__name__}")
        data = bytes(data)
        if data[:4] != CTX_MAGIC:
            raise ContextRejected("not a datacap HE context (bad magic)")
        version, has_secret, jlen = _CTX_HEAD.unpack_from(data, 4)
        if version != VERSION:
            raise ContextRejected(f"unsupported context version {version}")
        off = 4 + _CTX_HEAD.size
        params = json.loads(data[off:off + jlen])
        off += jlen
        (count,) = struct.unpack_from("<B", data, off)
        off += 1
        sections = split_sections(data, off, count, ContextRejected, "context")
        if params.get("mode") not in MODES:
            raise ContextRejected(f"unknown mode {params.get('mode')!r}")
        return params, bool(has_secret), sections
    except ContextRejected:
        raise
    except (struct.error, ValueError, UnicodeDecodeError) as e:
        raise ContextRejected(f"malformed context: {e}") from e


@dataclass(frozen=True)
class BlobHeader:
    mode: str
    n_values: int
    n_ct: int
    n_parties: int
    checksum: int
    fingerprint: bytes
    scheme: str = "ckks"
    binding: bytes = bytes(32)

    @property
    def size(self) -> int:
        return BLOB_HEAD.size


def checksum(payload) -> int:
    """Fast garbling check: the sum of the payload's little-endian 32-bit words mod 2^32 (zero-padded).

    Not a MAC: integrity against tampering is the SHA-256 committed on-chain. It is linear in the words,
    so a sum of ciphertexts in the 2^32 format has the sum of their checksums (one pass checks them all).
    """
    if len(payload) % 4:
        payload = bytes(payload) + b"\0" * (4 - len(payload) % 4)
    words = np.frombuffer(payload, dtype="<u4")
    return int(np.add.reduce(words, dtype=np.uint32)) if words.size else 0


def pack_header(mode: str, scheme: str, n_values: int, n_ct: int, n_parties: int, payload, fp: bytes,
                crc: int | None = None) -> bytes:
    """The header of a blob over ``payload`` (``crc``: its checksum when already known)."""
    return BLOB_HEAD.pack(BLOB_MAGIC, VERSION, MODE_ID[mode], SCHEME_ID[scheme], n_values, n_ct, n_parties,
                          checksum(payload) if crc is None else crc, fp, bytes(32))


def read_header(blob: bytes) -> BlobHeader:
    """Parse a blob header; raises :class:`CiphertextRejected` on anything malformed."""
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise CiphertextRejected(f"ciphertext must be bytes, got {type(blob).__name__}")
    if len(blob) < BLOB_HEAD.size:
        raise CiphertextRejected(f"ciphertext too short ({len(blob)} bytes)")
    magic, version, mode_id, scheme_id, n_values, n_ct, n_parties, crc, fp, binding = BLOB_HEAD.unpack_from(blob)
    if magic != BLOB_MAGIC:
        raise CiphertextRejected("not a datacap ciphertext (bad magic)")
    if version != VERSION:
        raise CiphertextRejected(f"unsupported ciphertext version {version}")
    if not 1 <= mode_id <= len(MODES):
        raise CiphertextRejected(f"unknown mode id {mode_id}")
    if scheme_id not in SCHEME_NAME:
        raise CiphertextRejected(f"unknown scheme id {scheme_id}")
    return BlobHeader(MODES[mode_id - 1], n_values, n_ct, n_parties, crc, fp, SCHEME_NAME[scheme_id], binding)


def bind(blob: bytes, binding: bytes) -> bytes:
    """``blob`` with its header's sender binding set (32 bytes; the payload and its checksum are unchanged)."""
    read_header(blob)
    if len(binding) != 32:
        raise CiphertextRejected(f"a sender binding is 32 bytes, got {len(binding)}")
    return bytes(blob[:_BINDING_AT]) + bytes(binding) + bytes(blob[_BINDING_AT + 32:])


def with_header(blob: bytes, payload) -> bytes:
    """``blob``'s header (checksum recomputed) over a new payload of the same length."""
    h = read_header(blob)
    return pack_header(h.mode, h.scheme, h.n_values, h.n_ct, h.n_parties, payload, h.fingerprint) + bytes(payload)
