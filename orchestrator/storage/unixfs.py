"""UnixFS file DAGs and CIDs exactly as `ipfs add --cid-version 1` (Kubo defaults) builds them.

Kubo's defaults with CIDv1: fixed 256 KiB chunks, raw leaves (codec ``raw``), a balanced DAG with
at most 174 links per node whose internal nodes are dag-pb with a UnixFS ``File`` message
(``filesize`` and one ``blocksizes`` entry per link), sha2-256, base32 multibase. A file of at most
one chunk (including the empty file) is its single raw block.

The protobuf encodings are written by hand, in dag-pb canonical form: every ``Links`` entry (field 2)
before ``Data`` (field 1); each ``PBLink`` as ``Hash`` (1), ``Name`` (2, the empty string, present)
and ``Tsize`` (3, the cumulative size of the linked sub-DAG).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from orchestrator.errors import InvalidCid, StorageError

CHUNK_SIZE = 262_144
MAX_LINKS = 174
CODEC_RAW = 0x55
CODEC_DAG_PB = 0x70
SHA2_256 = 0x12
UNIXFS_FILE = 2
_CODECS = {CODEC_RAW: "raw", CODEC_DAG_PB: "dag-pb"}


# -- varints and CIDs -------------------------------------------------------------------------


def uvarint(n: int) -> bytes:
    """An unsigned LEB128 varint (multiformats and protobuf)."""
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_uvarint(buf: bytes, pos: int) -> tuple[int, int]:
    """``(value, next position)`` of the varint at ``buf[pos:]``; ``ValueError`` when truncated or oversized."""
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated or oversized varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


@dataclass(frozen=True)
class Cid:
    """A CIDv1 with a sha2-256 multihash.

    Parameters
    ----------
    codec:
        Multicodec of the block: ``CODEC_RAW`` (0x55) or ``CODEC_DAG_PB`` (0x70).
    digest:
        The 32-byte sha2-256 digest of the block's bytes.
    """

    codec: int
    digest: bytes

    @classmethod
    def of_block(cls, codec: int, data: bytes) -> Cid:
        """The CID of ``data`` stored as a block with ``codec``."""
        return cls(codec, hashlib.sha256(data).digest())

    @property
    def binary(self) -> bytes:
        """Binary form: version, codec, multihash (code, length, digest)."""
        return uvarint(1) + uvarint(self.codec) + uvarint(SHA2_256) + uvarint(32) + self.digest

    def __str__(self) -> str:
        return "b" + base64.b32encode(self.binary).decode("ascii").lower().rstrip("=")

    def verify(self, data: bytes) -> bool:
        """Whether ``data`` hashes to this CID's digest."""
        return hashlib.sha256(data).digest() == self.digest

    @classmethod
    def from_binary(cls, raw: bytes) -> Cid:
        """Parse a binary CIDv1 (sha2-256, raw or dag-pb); raises InvalidCid."""
        try:
            version, pos = read_uvarint(raw, 0)
            codec, pos = read_uvarint(raw, pos)
            hash_code, pos = read_uvarint(raw, pos)
            length, pos = read_uvarint(raw, pos)
        except ValueError as exc:
            raise InvalidCid(f"malformed binary CID {raw.hex()}: {exc}") from None
        if version != 1:
            raise InvalidCid(f"unsupported CID version {version} (only CIDv1 is supported)")
        if codec not in _CODECS:
            raise InvalidCid(f"unsupported CID codec 0x{codec:x} (expected raw or dag-pb)")
        if hash_code != SHA2_256 or length != 32 or len(raw) - pos != 32:
            raise InvalidCid(f"unsupported multihash in CID {raw.hex()} (expected sha2-256)")
        return cls(codec, raw[pos:])

    @classmethod
    def parse(cls, text: str | Cid) -> Cid:
        """Parse a base32 CIDv1 string (``bafy...``/``bafk...``); raises InvalidCid."""
        if isinstance(text, Cid):
            return text
        if not isinstance(text, str) or len(text) < 2 or text[0] != "b":
            raise InvalidCid(f"not a base32 CIDv1: {text!r}")
        body = text[1:]
        if body != body.lower():
            raise InvalidCid(f"not a base32 CIDv1 (must be lower case): {text!r}")
        try:
            raw = base64.b32decode(body.upper() + "=" * (-len(body) % 8))
        except ValueError:
            raise InvalidCid(f"not a base32 CIDv1: {text!r}") from None
        return cls.from_binary(raw)


def parse_cid(text: str | Cid) -> Cid:
    """Parse a CID string; raises InvalidCid with the offending text."""
    return Cid.parse(text)


# -- protobuf -----------------------------------------------------------------------------------


def _field_bytes(number: int, payload: bytes) -> bytes:
    return uvarint(number << 3 | 2) + uvarint(len(payload)) + payload


def _field_varint(number: int, value: int) -> bytes:
    return uvarint(number << 3) + uvarint(value)


@dataclass(frozen=True)
class Link:
    """A child of a file DAG node.

    Parameters
    ----------
    cid:
        The child's CID.
    tsize:
        Cumulative size in bytes of the child's sub-DAG (all its blocks), as PBLink.Tsize.
    filesize:
        Number of file bytes under the child (its UnixFS ``blocksizes`` entry).
    """

    cid: Cid
    tsize: int
    filesize: int


def encode_file_node(links: list[Link]) -> bytes:
    """Encode an internal dag-pb node: PBLinks first, then the UnixFS File ``Data``."""
    out = bytearray()
    for link in links:
        pblink = (
            _field_bytes(1, link.cid.binary) + _field_bytes(2, b"") + _field_varint(3, link.tsize)
        )
        out += _field_bytes(2, pblink)
    unixfs = _field_varint(1, UNIXFS_FILE) + _field_varint(3, sum(ln.filesize for ln in links))
    for link in links:
        unixfs += _field_varint(4, link.filesize)
    out += _field_bytes(1, unixfs)
    return bytes(out)


def _fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    pos = 0
    while pos < len(buf):
        key, pos = read_uvarint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_uvarint(buf, pos)
            yield number, wire, value
        elif wire == 2:
            length, pos = read_uvarint(buf, pos)
            if pos + length > len(buf):
                raise ValueError("truncated length-delimited field")
            yield number, wire, buf[pos : pos + length]
            pos += length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")


@dataclass(frozen=True)
class FileNode:
    """A decoded internal UnixFS file node: its children, inline data and total file size."""

    links: list[Link]
    data: bytes
    filesize: int


def decode_file_node(block: bytes) -> FileNode:
    """Decode a dag-pb UnixFS File (or Raw) node; raises StorageError when it is not one."""
    try:
        links: list[Cid] = []
        tsizes: list[int] = []
        unixfs = b""
        for number, wire, value in _fields(block):
            if number == 2 and wire == 2:
                cid, tsize = None, 0
                for n, w, v in _fields(value):  # type: ignore[arg-type]
                    if n == 1 and w == 2:
                        cid = Cid.from_binary(v)  # type: ignore[arg-type]
                    elif n == 3 and w == 0:
                        tsize = v  # type: ignore[assignment]
                if cid is None:
                    raise ValueError("PBLink without Hash")
                links.append(cid)
                tsizes.append(tsize)
            elif number == 1 and wire == 2:
                unixfs = value  # type: ignore[assignment]
        kind, data, filesize, blocksizes = None, b"", None, []
        for number, wire, value in _fields(unixfs):
            if number == 1 and wire == 0:
                kind = value
            elif number == 2 and wire == 2:
                data = value
            elif number == 3 and wire == 0:
                filesize = value
            elif number == 4 and wire == 0:
                blocksizes.append(value)
    except (ValueError, InvalidCid) as exc:
        raise StorageError(f"malformed dag-pb block: {exc}") from None
    if kind not in (0, UNIXFS_FILE):
        raise StorageError(f"dag-pb block is not a UnixFS file (type {kind})")
    if len(blocksizes) != len(links):
        raise StorageError("dag-pb block has a blocksizes count different from its link count")
    children = [Link(c, t, s) for c, t, s in zip(links, tsizes, blocksizes)]
    total = filesize if filesize is not None else len(data) + sum(blocksizes)
    return FileNode(children, bytes(data), total)


# -- the balanced DAG builder -------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One stored block: its CID and bytes."""

    cid: Cid
    data: bytes


@dataclass
class FileDagBuilder:
    """Stream chunks in, get Kubo's balanced file DAG out, in constant memory.

    Parameters
    ----------
    on_block:
        Called with every block as soon as it exists (raw leaves, then internal nodes);
        a blockstore passes its ``put`` here. ``None`` only computes the CID.
    max_links:
        Maximum number of links per internal node (Kubo: 174).

    Notes
    -----
    Kubo's top-down balanced builder and the bottom-up grouping used here give the same tree:
    leaves grouped by ``max_links`` into nodes, those nodes grouped again, until one node is left.
    Each level keeps at most ``max_links`` pending links, so memory is O(depth * max_links).
    """

    on_block: Callable[[Block], None] | None = None
    max_links: int = MAX_LINKS
    _levels: list[list[Link]] = field(default_factory=list, init=False)
    _counts: list[int] = field(default_factory=list, init=False)
    _finished: bool = field(default=False, init=False)

    def add_chunk(self, chunk: bytes) -> Link:
        """Add the next chunk of file content as a raw leaf."""
        data = bytes(chunk)
        cid = Cid.of_block(CODEC_RAW, data)
        if self.on_block is not None:
            self.on_block(Block(cid, data))
        link = Link(cid, len(data), len(data))
        self.add_leaf(link)
        return link

    def add_leaf(self, link: Link) -> None:
        """Add an already stored raw leaf (its block must have been emitted by the caller)."""
        if self._finished:
            raise StorageError("FileDagBuilder already finished")
        self._push(0, link)

    def _push(self, level: int, link: Link) -> None:
        while len(self._levels) <= level:
            self._levels.append([])
            self._counts.append(0)
        self._levels[level].append(link)
        self._counts[level] += 1
        if len(self._levels[level]) == self.max_links:
            self._push(level + 1, self._reduce(level))

    def _reduce(self, level: int) -> Link:
        links, self._levels[level] = self._levels[level], []
        data = encode_file_node(links)
        cid = Cid.of_block(CODEC_DAG_PB, data)
        if self.on_block is not None:
            self.on_block(Block(cid, data))
        return Link(cid, len(data) + sum(ln.tsize for ln in links), sum(ln.filesize for ln in links))

    def finish(self) -> Link:
        """Close the DAG and return the link to its root (the root CID is ``.cid``)."""
        if self._finished:
            raise StorageError("FileDagBuilder already finished")
        if not self._levels:  # no chunk at all: the empty file
            self.add_chunk(b"")
        self._finished = True
        level = 0
        while True:
            if self._counts[level] == 1:
                return self._levels[level][0]
            if self._levels[level]:
                self._push(level + 1, self._reduce(level))
            level += 1


# -- chunking and CIDs --------------------------------------------------------------------------


def chunks_of_bytes(data: bytes, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Fixed-size chunks of ``data``; the empty input yields one empty chunk."""
    view = memoryview(data)
    if not view.nbytes:
        yield b""
        return
    for start in range(0, view.nbytes, size):
        yield bytes(view[start : start + size])


def chunks_of_stream(stream: BinaryIO, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Fixed-size chunks read from a binary stream (short reads are filled up to ``size``)."""
    emitted = False
    while True:
        buf = bytearray()
        while len(buf) < size:
            piece = stream.read(size - len(buf))
            if not piece:
                break
            buf += piece
        if buf or not emitted:
            yield bytes(buf)
            emitted = True
        if len(buf) < size:
            return


def build_file(chunks: Iterable[bytes], on_block: Callable[[Block], None] | None = None) -> Cid:
    """Build the file DAG of ``chunks`` (emitting blocks to ``on_block``) and return its root."""
    builder = FileDagBuilder(on_block)
    for chunk in chunks:
        builder.add_chunk(chunk)
    return builder.finish().cid


def cid_of_bytes(data: bytes) -> str:
    """The CID ``ipfs add --cid-version 1`` prints for ``data``."""
    return str(build_file(chunks_of_bytes(data)))


def cid_of_file(path: str | os.PathLike[str]) -> str:
    """The CID ``ipfs add --cid-version 1`` prints for the file at ``path`` (streamed)."""
    with open(path, "rb") as stream:
        return str(build_file(chunks_of_stream(stream)))
