"""Dataset commitments: a Poseidon Merkle tree over records, with the record count bound in.

The scheme is shared with the possession circuit (circuits/possession.circom) and the dApp, and must
not change (all hashes are circomlib's Poseidon over BN254, see ``orchestrator.zk.poseidon``):

- record -> field elements ``e = [len(record)] + [int.from_bytes(c, "big") for c in 31-byte chunks]``;
- record hash ``h = Poseidon(e[0:16])`` (zero-padded to 16), then for each further group ``g`` of 15
  elements ``h = Poseidon([h] + g)`` (zero-padded to 15): always 16 inputs;
- leaf ``Poseidon(index, h)``;
- a binary tree of fixed depth 20, node ``Poseidon(left, right)``, missing leaves 0;
- commitment ``Poseidon(leafCount, root)``, posted as a big-endian bytes32.

Building a tree costs a few ms per record in pure Python, so trees are cached by record content.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestrator.errors import InvalidDataset
from orchestrator.zk.poseidon import poseidon

DEFAULT_CHUNK_SIZE = 65_536
KINDS = ("auto", "csv", "dir", "chunks")
DEPTH = 20
MAX_LEAVES = 2**DEPTH
HASH_INPUTS = 16
"""Inputs of each record-hash step (the circuit's K)."""
CHUNK_BYTES = 31
"""Bytes per field element of a record (31 bytes always fit below the BN254 modulus)."""


def record_elements(record: bytes) -> list[int]:
    """``[len(record)]`` then the record's 31-byte big-endian chunks as field elements."""
    record = bytes(record)
    return [len(record)] + [int.from_bytes(record[i:i + CHUNK_BYTES], "big")
                            for i in range(0, len(record), CHUNK_BYTES)]


def _pad(values: Sequence[int], width: int) -> list[int]:
    return list(values) + [0] * (width - len(values))


def record_hash_input(record: bytes) -> list[int]:
    """The 16 inputs of a record's last hash step: what the circuit takes as a record's witness."""
    e = record_elements(record)
    inputs = _pad(e[:HASH_INPUTS], HASH_INPUTS)
    for start in range(HASH_INPUTS, len(e), HASH_INPUTS - 1):
        inputs = [poseidon(inputs)] + _pad(e[start:start + HASH_INPUTS - 1], HASH_INPUTS - 1)
    return inputs


def record_hash(record: bytes) -> int:
    """A record's chained Poseidon hash."""
    return poseidon(record_hash_input(record))


def leaf_hash(index: int, record: bytes) -> int:
    """The leaf of ``record`` at position ``index``: ``Poseidon(index, record_hash(record))``."""
    if not 0 <= index < MAX_LEAVES:
        raise ValueError(f"leaf index {index} is outside a depth-{DEPTH} tree")
    return poseidon([index, record_hash(record)])


def hash_pair(left: int, right: int) -> int:
    """An inner node."""
    return poseidon([left, right])


@cache
def zero_subtrees() -> tuple[int, ...]:
    """The root of an all-empty subtree of height 0..DEPTH."""
    zeros = [0]
    for _ in range(DEPTH):
        zeros.append(hash_pair(zeros[-1], zeros[-1]))
    return tuple(zeros)


def commitment_of(leaf_count: int, root: int) -> int:
    """``Poseidon(leafCount, root)``: the value a $Data commits to."""
    return poseidon([leaf_count, root])


def to_bytes32(value: int) -> str:
    """A field element as ``0x``-prefixed big-endian bytes32 hex."""
    return "0x" + value.to_bytes(32, "big").hex()


@dataclass(frozen=True)
class MerkleTree:
    """A committed dataset: every level of its tree, leaves first, without the empty right parts.

    Use ``commit_records`` to build one. Nodes are field elements (ints).
    """

    levels: tuple[tuple[int, ...], ...]

    @property
    def root(self) -> int:
        return self.levels[-1][0] if self.levels[-1] else zero_subtrees()[DEPTH]

    @property
    def leaf_count(self) -> int:
        return len(self.levels[0])

    @property
    def commitment(self) -> str:
        """The commitment posted on chain, as bytes32 hex."""
        return to_bytes32(commitment_of(self.leaf_count, self.root))

    def leaf(self, index: int) -> int:
        self._check(index)
        return self.levels[0][index]

    def proof(self, index: int) -> list[int]:
        """The DEPTH sibling nodes from the leaf at ``index`` up to the root."""
        self._check(index)
        zeros = zero_subtrees()
        path = []
        for height, level in enumerate(self.levels[:-1]):
            sibling = index ^ 1
            path.append(level[sibling] if sibling < len(level) else zeros[height])
            index //= 2
        return path

    def _check(self, index: int) -> None:
        if not 0 <= index < self.leaf_count:
            raise IndexError(f"leaf index {index} out of range for {self.leaf_count} leaves")


def _build(leaves: tuple[int, ...]) -> MerkleTree:
    zeros = zero_subtrees()
    levels = [leaves]
    for height in range(DEPTH):
        below = levels[-1]
        if len(below) % 2:
            below = below + (zeros[height],)
        levels.append(tuple(hash_pair(below[i], below[i + 1]) for i in range(0, len(below), 2)))
    return MerkleTree(tuple(levels))


def _content_key(records: Sequence[bytes]) -> str:
    digest = hashlib.sha256(b"datacap-poseidon-tree-v1")
    for r in records:
        digest.update(len(r).to_bytes(8, "big"))
        digest.update(r)
    return digest.hexdigest()


def _load_cached(path: Path, leaf_count: int) -> MerkleTree | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    sizes, n = [], leaf_count
    for _ in range(DEPTH + 1):
        sizes.append(n)
        n = (n + 1) // 2
    if len(raw) != 32 * sum(sizes):
        return None  # a torn or foreign file: rebuild
    levels, offset = [], 0
    for size in sizes:
        levels.append(tuple(int.from_bytes(raw[offset + 32 * i:offset + 32 * (i + 1)], "big") for i in range(size)))
        offset += 32 * size
    return MerkleTree(tuple(levels))


def _store(path: Path, tree: MerkleTree) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(b"".join(v.to_bytes(32, "big") for level in tree.levels for v in level))
    os.replace(tmp, path)  # atomic: readers see the whole tree or none


def commit_records(records: Iterable[bytes], cache_dir: str | os.PathLike[str] | None = None) -> MerkleTree:
    """Build (or load from ``cache_dir``) the Poseidon tree of ``records``, in order.

    Raises InvalidDataset for no records or more than 2^DEPTH of them.
    """
    records = [bytes(r) for r in records]
    if not records:
        raise InvalidDataset("cannot commit an empty dataset (no records)")
    if len(records) > MAX_LEAVES:
        raise InvalidDataset(f"a dataset holds at most {MAX_LEAVES} records, this one has {len(records)}")
    cached = Path(cache_dir, _content_key(records) + ".tree") if cache_dir is not None else None
    if cached is not None and (tree := _load_cached(cached, len(records))) is not None:
        return tree
    tree = _build(tuple(leaf_hash(i, r) for i, r in enumerate(records)))
    if cached is not None:
        _store(cached, tree)
    return tree


def process_proof(index: int, leaf: int, siblings: Sequence[int]) -> int:
    """The root a path of DEPTH siblings leads to from ``leaf`` at ``index``."""
    if len(siblings) != DEPTH:
        raise ValueError(f"a proof has {DEPTH} siblings, got {len(siblings)}")
    node = leaf
    for sibling in siblings:
        node = hash_pair(sibling, node) if index & 1 else hash_pair(node, sibling)
        index >>= 1
    return node


def verify(commitment: int, leaf_count: int, index: int, record: bytes, siblings: Sequence[int]) -> bool:
    """Whether ``record`` is the record at ``index`` of the dataset committed to by ``commitment``."""
    if not 0 <= index < leaf_count:
        return False
    root = process_proof(index, leaf_hash(index, record), siblings)
    return commitment_of(leaf_count, root) == commitment


# -- records ------------------------------------------------------------------------------------


def load_records(
    path: str | os.PathLike[str], kind: str = "auto", chunk_size: int = DEFAULT_CHUNK_SIZE
) -> list[bytes]:
    """Split a dataset into the records its commitment is built from.

    Parameters
    ----------
    path:
        A CSV file, a directory, or any other file.
    kind:
        ``"csv"``: one record per data row, its raw bytes without the line terminator (the header
        is validated, not committed). ``"dir"``: one record per regular file, in sorted relative
        POSIX path order, ``path bytes + b"\\0" + file bytes``. ``"chunks"``: fixed-size chunks
        of a file. ``"auto"``: ``dir`` for directories, ``csv`` for ``*.csv``, else ``chunks``.
    chunk_size:
        Bytes per record for ``"chunks"``.

    Raises
    ------
    InvalidDataset
        Malformed CSV (with its line number), no records, or a missing path.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidDataset(f"dataset {path} does not exist")
    if kind == "auto":
        kind = "dir" if path.is_dir() else "csv" if path.suffix.lower() == ".csv" else "chunks"
    if kind == "csv":
        records = list(_csv_records(path))
    elif kind == "dir":
        records = list(_dir_records(path))
    elif kind == "chunks":
        records = list(_chunk_records(path, chunk_size))
    else:
        raise InvalidDataset(f"unknown dataset kind {kind!r} (expected one of {', '.join(KINDS)})")
    if not records:
        raise InvalidDataset(f"dataset {path} has no records")
    return records


def _csv_records(path: Path) -> Iterator[bytes]:
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InvalidDataset(f"{path}: line {line}: text is not valid UTF-8") from None
    physical = raw.splitlines(keepends=True)
    columns: int | None = None
    row: list[bytes] = []
    start_line = 1
    blank_lines: list[int] = []
    for number, line in enumerate(physical, start=1):
        if not row:
            start_line = number
        row.append(line)
        joined = b"".join(row)
        if joined.count(b'"') % 2:  # an open quoted field continues on the next line
            continue
        row = []
        content = joined.rstrip(b"\r\n")
        if not content.strip():
            blank_lines.append(start_line)
            continue
        if blank_lines:
            raise InvalidDataset(f"{path}: line {blank_lines[0]}: blank line inside the data")
        fields = _parse_row(path, start_line, content)
        if columns is None:
            header = [f.strip().lstrip("\ufeff") for f in fields]
            if any(not name for name in header) or len(set(header)) != len(header):
                raise InvalidDataset(f"{path}: line {start_line}: header needs unique, non-empty names")
            columns = len(fields)
            continue
        if len(fields) != columns:
            raise InvalidDataset(
                f"{path}: line {start_line}: row has {len(fields)} fields, header has {columns}"
            )
        yield content
    if row:
        raise InvalidDataset(f"{path}: line {start_line}: unterminated quoted field")
    if columns is None:
        raise InvalidDataset(f"{path}: no header row")


def _parse_row(path: Path, line: int, content: bytes) -> list[str]:
    try:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline=""), strict=True))
    except csv.Error as exc:
        raise InvalidDataset(f"{path}: line {line}: {exc}") from None
    if len(rows) != 1:
        raise InvalidDataset(f"{path}: line {line}: cannot parse the row")
    return rows[0]


def _dir_records(root: Path) -> Iterator[bytes]:
    files = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            full = Path(folder, name)
            if full.is_file() and not full.is_symlink():
                files.append((full.relative_to(root).as_posix(), full))
    for rel, full in sorted(files):
        yield rel.encode("utf-8") + b"\0" + full.read_bytes()


def _chunk_records(path: Path, chunk_size: int) -> Iterator[bytes]:
    if chunk_size <= 0:
        raise InvalidDataset(f"chunk size must be positive, got {chunk_size}")
    with open(path, "rb") as stream:
        while chunk := stream.read(chunk_size):
            yield chunk
