"""SEAL objects to and from bytes (tenseal.sealapi saves and loads only through paths)."""
from __future__ import annotations

import atexit
import os
import shutil
import struct
import tempfile
import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

_tmp_local = threading.local()


def _tmpdir() -> str:
    d = getattr(_tmp_local, "dir", None)
    if d is None or not os.path.isdir(d):
        base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        d = tempfile.mkdtemp(prefix="datacap-he-", dir=base)
        atexit.register(shutil.rmtree, d, True)
        _tmp_local.dir = d
    return d


def _zstd():
    """This thread's zstd decompressor, reused (a fresh one per ciphertext adds a fifth to the decompression)."""
    d = getattr(_tmp_local, "zstd", None)
    if d is None:
        import zstandard

        d = _tmp_local.zstd = zstandard.ZstdDecompressor()
    return d


def save(obj) -> bytes:
    """A SEAL object's bytes (a per-thread scratch file in /dev/shm keeps it in RAM)."""
    path = os.path.join(_tmpdir(), "obj")
    obj.save(path)
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    return data


def load(obj, seal_ctx, data: bytes):
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
_SEAL_MAGIC = 0xA15E
_COMPR_NONE, _COMPR_ZSTD = 0, 2
_CT_MEMBERS = struct.Struct("<4Q?QQQdQ")  # parms_id, NTT form, size, N, primes, scale, correction factor


def ciphertext_bytes(coeffs: np.ndarray, parms_id: Sequence[int], n: int, version, ntt: bool = False,
                     scale: float = 1.0, primes: int = 1, correction: int = 1) -> bytes:
    """Serialize a SEAL ciphertext of ``coeffs`` (polynomial, then RNS prime, then coefficient; compression:
    none, which SEAL and TenSEAL load like any other)."""
    dyn = struct.pack("<Q", coeffs.size) + coeffs.astype("<u8", copy=False).tobytes()
    dyn = _SEAL_HEAD.pack(_SEAL_MAGIC, 16, version[0], version[1], _COMPR_NONE, 0, 16 + len(dyn)) + dyn
    members = _CT_MEMBERS.pack(*parms_id, ntt, coeffs.size // (n * primes), n, primes, float(scale),
                               correction) + dyn
    return _SEAL_HEAD.pack(_SEAL_MAGIC, 16, version[0], version[1], _COMPR_NONE, 0, 16 + len(members)) + members


@dataclass
class RawCiphertext:
    """A SEAL ciphertext's fields; ``coeffs`` has shape (polynomials, RNS primes, N)."""

    parms_id: tuple
    ntt: bool
    scale: float
    correction: int
    version: tuple
    coeffs: np.ndarray

    def to_bytes(self) -> bytes:
        size, primes, n = self.coeffs.shape
        return ciphertext_bytes(self.coeffs.reshape(-1), self.parms_id, n, self.version, self.ntt, self.scale,
                                primes, self.correction)


def parse_ciphertext(data: bytes) -> RawCiphertext:
    """The fields of a serialized SEAL ciphertext (uncompressed or zstd, as TenSEAL saves them); raises
    ``ValueError`` on anything else."""
    magic, hsize, major, minor, compr, _, total = _SEAL_HEAD.unpack_from(data)
    if magic != _SEAL_MAGIC or hsize != _SEAL_HEAD.size or total != len(data):
        raise ValueError("not a serialized SEAL object")
    body = memoryview(data)[_SEAL_HEAD.size:]
    if compr == _COMPR_ZSTD:
        body = _zstd().decompressobj().decompress(bytes(body))
    elif compr != _COMPR_NONE:
        raise ValueError(f"unsupported SEAL compression mode {compr}")
    if len(body) < _CT_MEMBERS.size + _SEAL_HEAD.size + 8:
        raise ValueError("truncated SEAL ciphertext")
    *pid, ntt, size, n, primes, scale, correction = _CT_MEMBERS.unpack_from(body)
    (count,) = struct.unpack_from("<Q", body, _CT_MEMBERS.size + _SEAL_HEAD.size)
    start = _CT_MEMBERS.size + _SEAL_HEAD.size + 8
    if count != size * primes * n or len(body) != start + 8 * count:
        raise ValueError("SEAL ciphertext data does not match its dimensions")
    coeffs = np.frombuffer(body, dtype="<u8", offset=start).reshape(size, primes, n).copy()
    return RawCiphertext(tuple(pid), ntt, scale, correction, (major, minor), coeffs)


def coefficients(ct, n: int) -> np.ndarray:
    """The ``2*n`` coefficients of a 2-polynomial, 1-prime ciphertext (c0 then c1) as uint64, read from SEAL's
    own serialization (4-5x faster than ``2*n`` element reads through pybind)."""
    c = parse_ciphertext(save(ct)).coeffs
    if c.shape != (2, 1, n):
        raise ValueError(f"expected a 2-polynomial, 1-prime ciphertext of degree {n}, got shape {c.shape}")
    return c.reshape(-1)
