"""Content-addressed storage: the embedded blockstore and Kubo, with Kubo-identical CIDs."""

from __future__ import annotations

from typing import Any

from orchestrator.errors import StorageError
from orchestrator.storage.base import Storage, cid_of_bytes, cid_of_file
from orchestrator.storage.kubo import KuboStorage
from orchestrator.storage.local import LocalStorage

BACKENDS = ("local", "kubo")


def open_storage(backend: str = "local", **cfg: Any) -> Storage:
    """Open a storage backend.

    Parameters
    ----------
    backend:
        ``"local"`` (the embedded blockstore; needs ``root``, a directory) or ``"kubo"``
        (a Kubo RPC API; takes ``api_url``, default ``http://127.0.0.1:5001``, and ``timeout``).
    **cfg:
        The backend's keyword arguments.
    """
    if backend == "local":
        if "root" not in cfg:
            raise StorageError("local storage needs a root directory (root=...)")
        return LocalStorage(**cfg)
    if backend == "kubo":
        return KuboStorage(**cfg)
    raise StorageError(f"unknown storage backend {backend!r} (expected one of {', '.join(BACKENDS)})")


__all__ = [
    "BACKENDS",
    "KuboStorage",
    "LocalStorage",
    "Storage",
    "cid_of_bytes",
    "cid_of_file",
    "open_storage",
]
