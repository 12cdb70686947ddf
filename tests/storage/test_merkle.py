"""Dataset commitments: the Poseidon tree, its proofs and cache, record loading, and shared vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator.errors import InvalidDataset
from orchestrator.merkle import (DEPTH, MAX_LEAVES, commit_records, leaf_hash, load_records, process_proof,
                                 record_hash, to_bytes32, verify)
from orchestrator.zk.poseidon import poseidon

VECTORS = Path(__file__).with_name("merkle_vectors.json")
FIVE = [b"0,ant", b"1,cat", b"2,dog", b"3,bird", b"4,fish"]


def _root_by_padding(leaves: list[int]) -> int:
    # the full 2^DEPTH-leaf tree, levels padded with zeros, independent of the sparse build
    zeros, level = 0, list(leaves)
    for _ in range(DEPTH):
        level += [zeros] * (len(level) % 2)
        level = [poseidon([level[i], level[i + 1]]) for i in range(0, len(level), 2)]
        zeros = poseidon([zeros, zeros])
    return level[0]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_tree_everyProofVerifies(n: int) -> None:
    records = [f"record-{i}".encode() for i in range(n)]
    tree = commit_records(records)
    assert tree.leaf_count == n
    assert tree.root == _root_by_padding([poseidon([i, record_hash(r)]) for i, r in enumerate(records)])
    assert tree.commitment == to_bytes32(poseidon([n, tree.root]))
    commitment = int(tree.commitment, 16)
    for i, record in enumerate(records):
        assert tree.leaf(i) == leaf_hash(i, record)
        assert len(tree.proof(i)) == DEPTH
        assert verify(commitment, n, i, record, tree.proof(i))
        assert not verify(commitment, n, i, record + b"!", tree.proof(i))
        assert not verify(commitment, n, (i + 1) % n, record, tree.proof(i)) or n == 1


def test_leafCount_isBoundIn() -> None:
    """Two datasets whose trees agree but whose counts differ commit differently (a padded zero leaf)."""
    tree = commit_records([b"a"])
    assert verify(int(tree.commitment, 16), 1, 0, b"a", tree.proof(0))
    assert not verify(int(tree.commitment, 16), 2, 0, b"a", tree.proof(0))


def test_empty_raises() -> None:
    with pytest.raises(InvalidDataset, match="empty"):
        commit_records([])


def test_tooManyRecords_raises() -> None:
    with pytest.raises(InvalidDataset, match="at most"):
        commit_records([b""] * (MAX_LEAVES + 1))


def test_proof_outOfRange_raises() -> None:
    with pytest.raises(IndexError):
        commit_records([b"a"]).proof(1)


def test_verify_rejectsWrongCommitmentAndProof() -> None:
    tree = commit_records(FIVE)
    commitment = int(tree.commitment, 16)
    assert not verify(0, 5, 0, FIVE[0], tree.proof(0))
    assert not verify(commitment, 5, 5, FIVE[0], tree.proof(0))
    with pytest.raises(ValueError, match="siblings"):
        verify(commitment, 5, 0, FIVE[0], tree.proof(0)[:-1])
    assert process_proof(3, leaf_hash(3, FIVE[3]), tree.proof(3)) == tree.root


def test_cache_reusesTreeByContent(tmp_path: Path) -> None:
    built = commit_records(FIVE, cache_dir=tmp_path)
    [cached] = tmp_path.glob("*.tree")
    assert commit_records(list(FIVE), cache_dir=tmp_path) == built
    assert commit_records(FIVE[:4], cache_dir=tmp_path).leaf_count == 4  # other content: another file
    assert len(list(tmp_path.glob("*.tree"))) == 2
    cached.write_bytes(cached.read_bytes()[:-1])  # a torn file is rebuilt, not trusted
    assert commit_records(FIVE, cache_dir=tmp_path) == built


# -- loading --------------------------------------------------------------------------------------


def test_csv_recordsAreRawRowsWithoutTerminator(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b'a,b\r\n1,"x, y"\r\n2,"multi\nline"\n3,  z \n\n')
    assert load_records(path) == [b'1,"x, y"', b'2,"multi\nline"', b"3,  z "]


@pytest.mark.parametrize(
    "content,line,what",
    [
        (b"a,b\n1,2\n3\n", 3, "1 fields, header has 2"),
        (b"a,b\n1,2\n3,4,5\n", 3, "3 fields"),
        (b"a,b\n1,2\n\xff,3\n", 3, "UTF-8"),
        (b"a,b\n", None, "no records"),
        (b"", None, "no header"),
        (b"a,a\n1,2\n", 1, "unique"),
        (b'a,b\n1,"open\n2,3\n', 2, "unterminated"),
        (b"a,b\n1,2\n\n3,4\n", 3, "blank line"),
    ],
)
def test_csv_malformed_raisesWithLine(tmp_path: Path, content: bytes, line: int | None, what: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidDataset, match=what) as err:
        load_records(path)
    if line is not None:
        assert f"line {line}:" in str(err.value)


def test_dir_recordsAreSortedPathsAndBytes(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.txt").write_bytes(b"X")
    (tmp_path / "a.txt").write_bytes(b"A")
    (tmp_path / "b.txt").write_bytes(b"")
    assert load_records(tmp_path) == [b"a.txt\0A", b"b.txt\0", b"b/x.txt\0X"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InvalidDataset, match="no records"):
        load_records(empty)


def test_chunks_splitFile(tmp_path: Path) -> None:
    path = tmp_path / "weights.bin"
    path.write_bytes(bytes(range(10)))
    assert load_records(path, chunk_size=4) == [bytes(range(4)), bytes(range(4, 8)), b"\x08\x09"]
    assert len(load_records(path)) == 1
    path.write_bytes(b"")
    with pytest.raises(InvalidDataset):
        load_records(path)


def test_unknownKindOrMissingPath_raise(tmp_path: Path) -> None:
    with pytest.raises(InvalidDataset, match="does not exist"):
        load_records(tmp_path / "nope.csv")
    with pytest.raises(InvalidDataset, match="unknown dataset kind"):
        load_records(tmp_path, kind="parquet")


# -- vectors shared with the Solidity tests -------------------------------------------------------


def build_vectors() -> dict[str, object]:
    """The test vectors for a 5-record dataset, as written to merkle_vectors.json (for other implementations)."""
    tree = commit_records(FIVE)
    return {
        "scheme": "circomlib Poseidon (BN254); e = [len] + 31-byte big-endian chunks; h = P16(e[0:16]) then"
        " h = P16([h] + next 15); leaf = P2(index, h); depth-20 tree of P2(left, right), missing leaves 0;"
        " commitment = P2(leafCount, root)",
        "commitment": tree.commitment,
        "root": to_bytes32(tree.root),
        "leafCount": tree.leaf_count,
        "leaves": [
            {
                "index": i,
                "record": "0x" + r.hex(),
                "recordText": r.decode(),
                "recordHash": to_bytes32(record_hash(r)),
                "leaf": to_bytes32(tree.leaf(i)),
                "proof": [to_bytes32(s) for s in tree.proof(i)],
            }
            for i, r in enumerate(FIVE)
        ],
    }


def test_vectorsFile_isCurrent() -> None:
    expected = build_vectors()
    assert json.loads(VECTORS.read_text()) == expected, "regenerate: PYTHONPATH=. python tests/storage/test_merkle.py"
    for entry in expected["leaves"]:  # type: ignore[union-attr]
        assert verify(int(expected["commitment"], 16), expected["leafCount"], entry["index"],
                      bytes.fromhex(entry["record"][2:]), [int(s, 16) for s in entry["proof"]])


if __name__ == "__main__":
    VECTORS.write_text(json.dumps(build_vectors(), indent=2) + "\n")
