"""Deterministic test content shared by the storage tests (the same patterns kubo_reference.mjs generates)."""

from __future__ import annotations

_PERIOD = bytes(i % 251 for i in range(251))


def mod251(size: int, offset: int = 0) -> bytes:
    """``size`` bytes where the byte at absolute position i is ``i % 251``."""
    start = offset % 251
    reps = (start + size) // 251 + 1
    return (_PERIOD * reps)[start : start + size]


def pattern(name: str, size: int) -> bytes:
    """The test content named by ``name`` ("mod251" or "zeros") of ``size`` bytes."""
    return bytes(size) if name == "zeros" else mod251(size)

