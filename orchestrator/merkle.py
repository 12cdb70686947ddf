"""Dataset commitments: Merkle trees over records, verifiable by OpenZeppelin's MerkleProof.

The scheme is shared with the contracts and must not change:

- record hash ``r = keccak256(record)``;
- leaf ``keccak256(keccak256(abi.encode(uint256 index, bytes32 r)))`` (32-byte big-endian index
  then ``r``, hashed twice like OpenZeppelin's double-hashed leaves);
- internal node ``keccak256(min(a, b) || max(a, b))`` (OpenZeppelin's commutative pair hash);
- an odd node at the end of a level is promoted unchanged; one leaf is its own root; no leaves is
  an error.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from eth_hash.auto import keccak

from orchestrator.errors import InvalidDataset

DEFAULT_CHUNK_SIZE = 65_536
KINDS = ("auto", "csv", "dir", "chunks")


def record_hash(record: bytes) -> bytes:
    """``keccak256(record)``."""
    return keccak(bytes(record))


def leaf_hash(index: int, record: bytes) -> bytes:
    """The leaf of ``record`` at position ``index``: keccak256(keccak256(index32 || keccak256(record)))."""
    if not 0 <= index < 2**256:
        raise ValueError(f"leaf index {index} is out of the uint256 range")
    return keccak(keccak(index.to_bytes(32, "big") + record_hash(record)))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """OpenZeppelin's commutative ``Hashes.commutativeKeccak256``."""
    return keccak(a + b) if a < b else keccak(b + a)


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _bytes32(value: str | bytes, what: str) -> bytes:
    if isinstance(value, str):
        text = value[2:] if value.startswith(("0x", "0X")) else value
        try:
            value = bytes.fromhex(text)
        except ValueError:
            raise ValueError(f"{what} is not hex: {value!r}") from None
    if len(value) != 32:
        raise ValueError(f"{what} must be 32 bytes, got {len(value)}")
    return value


@dataclass(frozen=True)
class MerkleTree:
    """A committed dataset: every level of the tree, leaves first.

    Use ``commit_records`` to build one. Hashes are returned as ``0x``-prefixed bytes32 hex.
    """

    levels: tuple[tuple[bytes, ...], ...]

    @property
    def root(self) -> str:
        """The commitment posted on chain."""
        return _hex(self.levels[-1][0])

    @property
    def leaf_count(self) -> int:
        return len(self.levels[0])

    def leaf(self, index: int) -> str:
        """The leaf hash at ``index``."""
        self._check(index)
        return _hex(self.levels[0][index])

    def proof(self, index: int) -> list[str]:
        """Sibling hashes from the leaf at ``index`` up to the root (OpenZeppelin's order)."""
        self._check(index)
        proof = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                proof.append(_hex(level[sibling]))
            index //= 2
        return proof

    def _check(self, index: int) -> None:
        if not 0 <= index < self.leaf_count:
            raise IndexError(f"leaf index {index} out of range for {self.leaf_count} leaves")


def commit_records(records: Iterable[bytes]) -> MerkleTree:
    """Build the Merkle tree of ``records`` (in order); raises InvalidDataset when there are none."""
    level = tuple(leaf_hash(i, bytes(r)) for i, r in enumerate(records))
    if not level:
        raise InvalidDataset("cannot commit an empty dataset (no records)")
    levels = [level]
    while len(level) > 1:
        pairs = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            pairs.append(level[-1])
        level = tuple(pairs)
        levels.append(level)
    return MerkleTree(tuple(levels))


def process_proof(leaf: bytes | str, proof: Iterable[bytes | str]) -> bytes:
    """The root a proof leads to from ``leaf`` (OpenZeppelin's ``MerkleProof.processProof``)."""
    computed = _bytes32(leaf, "leaf")
    for step in proof:
        computed = hash_pair(computed, _bytes32(step, "proof element"))
    return computed


def verify(root: bytes | str, index: int, record: bytes, proof: Iterable[bytes | str]) -> bool:
    """Whether ``record`` is the record at ``index`` of the dataset committed to by ``root``."""
    return process_proof(leaf_hash(index, record), proof) == _bytes32(root, "root")


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
