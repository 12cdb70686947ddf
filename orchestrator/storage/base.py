"""The storage interface every backend implements, and CID helpers."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod

from orchestrator.storage import unixfs


def cid_of_bytes(data: bytes) -> str:
    """The CID ``ipfs add --cid-version 1`` gives ``data`` (no storage involved)."""
    return unixfs.cid_of_bytes(data)


def cid_of_file(path: str | os.PathLike[str]) -> str:
    """The CID ``ipfs add --cid-version 1`` gives the file at ``path``, streamed."""
    return unixfs.cid_of_file(path)


class Storage(ABC):
    """Content-addressed storage whose CIDs are the ones Kubo gives (CIDv1, raw leaves).

    Every backend returns the same CID for the same bytes, and ``get`` never returns bytes that
    do not hash to the CID asked for (it raises ``CidMismatch`` instead).
    """

    @abstractmethod
    def add_bytes(self, data: bytes) -> str:
        """Store ``data``; return its CID."""

    @abstractmethod
    def add_file(self, path: str | os.PathLike[str]) -> str:
        """Store the file at ``path`` without loading it whole into memory; return its CID."""

    @abstractmethod
    def get(self, cid: str) -> bytes:
        """The content of ``cid``, verified against it; raises NotFound or CidMismatch."""

    @abstractmethod
    def has(self, cid: str) -> bool:
        """Whether the store holds the root block of ``cid``."""

    @abstractmethod
    def settings(self) -> dict:
        """JSON-safe ``open_storage`` arguments reaching this same store (what a worker task is given)."""
