"""SEAL objects to and from bytes (tenseal.sealapi saves and loads only through paths)."""
from __future__ import annotations

import atexit
import os
import shutil
import struct
import tempfile
import threading
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


def ciphertext_bytes(coeffs: np.ndarray, parms_id: Sequence[int], n: int, version, ntt: bool = False,
                     scale: float = 1.0) -> bytes:
    """Serialize a 2-polynomial, 1-prime SEAL ciphertext (compression: none)."""
    dyn = struct.pack("<Q", coeffs.size) + coeffs.astype("<u8", copy=False).tobytes()
    dyn = _SEAL_HEAD.pack(0xA15E, 16, version[0], version[1], 0, 0, 16 + len(dyn)) + dyn
    members = (struct.pack("<4Q", *parms_id) + (b"\x01" if ntt else b"\x00")
               + struct.pack("<QQQdQ", 2, n, 1, float(scale), 1) + dyn)
    return _SEAL_HEAD.pack(0xA15E, 16, version[0], version[1], 0, 0, 16 + len(members)) + members


def coefficients(ct, n: int) -> np.ndarray:
    """The ``2*n`` coefficients of a 2-polynomial, 1-prime ciphertext (c0 then c1) as uint64."""
    da = ct.dyn_array()
    return np.fromiter(map(da.at, range(2 * n)), dtype=np.uint64, count=2 * n)
