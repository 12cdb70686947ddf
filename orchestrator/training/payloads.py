"""Blobs on the data plane as the agents read them, cached by CID (content never changes)."""
from __future__ import annotations

from functools import lru_cache

from orchestrator.training.spec import JobSpec


@lru_cache(maxsize=64)
def _get(storage, cid: str) -> bytes:
    return storage.get(cid)


def raw(storage, cid: str) -> bytes:
    return _get(storage, cid)


def spec(storage, cid: str) -> JobSpec:
    return JobSpec.from_json(_get(storage, cid))
