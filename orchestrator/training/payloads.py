"""Blobs on the data plane as the tasks want them: base64 text, cached by CID (content never changes)."""
from __future__ import annotations

import base64
from functools import lru_cache

from orchestrator.training.spec import JobSpec


def unb64(s: str) -> bytes:
    return base64.b64decode(s)


def enc(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


@lru_cache(maxsize=64)
def _get(storage, cid: str) -> bytes:
    return storage.get(cid)


def raw(storage, cid: str) -> bytes:
    return _get(storage, cid)


def b64(storage, cid: str) -> str:
    return enc(_get(storage, cid))


def spec(storage, cid: str) -> JobSpec:
    return JobSpec.from_json(_get(storage, cid))
