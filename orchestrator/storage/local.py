"""The embedded default storage: an on-disk blockstore that gives the CIDs Kubo gives."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from orchestrator.errors import CidMismatch, NotFound
from orchestrator.storage import unixfs
from orchestrator.storage.base import Storage
from orchestrator.storage.unixfs import CODEC_RAW, Block, Cid


class LocalStorage(Storage):
    """Blocks under ``<root>/blocks/<cid>``: raw leaves and dag-pb nodes, as Kubo stores them.

    Parameters
    ----------
    root:
        Directory of the store; created if missing.

    Notes
    -----
    Every block read is checked against the sha2-256 digest in its CID, so a tampered or
    corrupted block raises ``CidMismatch`` instead of returning wrong bytes. Blocks are written
    to a temporary file in the same directory and renamed into place, so a crash never leaves a
    partial block under its CID.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.blocks = self.root / "blocks"
        self.blocks.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def settings(self) -> dict:
        return {"backend": "local", "root": str(self.root)}

    # -- blocks ---------------------------------------------------------------------------------

    def _path(self, cid: Cid) -> Path:
        return self.blocks / str(cid)

    def put_block(self, block: Block) -> None:
        """Store one block atomically (a no-op when it is already present and intact; a corrupt copy is replaced)."""
        path = self._path(block.cid)
        if path.exists() and block.cid.verify(path.read_bytes()):
            return
        fd, tmp = tempfile.mkstemp(dir=self.blocks, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(block.data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get_block(self, cid: str | Cid) -> bytes:
        """The verified bytes of one block; raises NotFound, CidMismatch or InvalidCid."""
        parsed = Cid.parse(cid)
        try:
            data = self._path(parsed).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"block {parsed} is not in the local store at {self.root}") from None
        if not parsed.verify(data):
            raise CidMismatch(f"block {parsed} in {self.blocks} does not hash to its CID")
        return data

    # -- files ----------------------------------------------------------------------------------

    def add_bytes(self, data: bytes) -> str:
        return str(unixfs.build_file(unixfs.chunks_of_bytes(data), self.put_block))

    def add_file(self, path: str | os.PathLike[str]) -> str:
        with open(path, "rb") as stream:
            return str(unixfs.build_file(unixfs.chunks_of_stream(stream), self.put_block))

    def iter_content(self, cid: str) -> Iterator[bytes]:
        """The content of ``cid`` piece by piece (one block in memory at a time), verified.

        Raises
        ------
        NotFound
            A block of the DAG is missing.
        CidMismatch
            A block does not hash to its CID, or the DAG's sizes are inconsistent.
        """
        root = Cid.parse(cid)
        stack: list[tuple[Cid, int | None]] = [(root, None)]
        while stack:
            node, expected = stack.pop()
            data = self.get_block(node)
            if node.codec == CODEC_RAW:
                size, content, children = len(data), data, []
            else:
                decoded = unixfs.decode_file_node(data)
                size, content, children = decoded.filesize, decoded.data, decoded.links
                if len(decoded.data) + sum(ln.filesize for ln in children) != size:
                    raise CidMismatch(f"dag-pb node {node} has inconsistent sizes")
            if expected is not None and size != expected:
                raise CidMismatch(f"block {node} holds {size} bytes, its parent says {expected}")
            if content:
                yield content
            stack.extend((ln.cid, ln.filesize) for ln in reversed(children))

    def get(self, cid: str) -> bytes:
        return b"".join(self.iter_content(cid))

    def has(self, cid: str) -> bool:
        return self._path(Cid.parse(cid)).exists()

    def check(self, cid: str) -> None:
        """Read and verify every block of ``cid``; raises like ``iter_content``."""
        for _ in self.iter_content(cid):
            pass


__all__ = ["LocalStorage"]
