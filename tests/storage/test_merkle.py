"""Dataset commitments: tree shapes, proofs, record loading and the vectors shared with Solidity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_abi import encode
from eth_hash.auto import keccak

from orchestrator.errors import InvalidDataset
from orchestrator.merkle import commit_records, leaf_hash, load_records, process_proof, verify

VECTORS = Path(__file__).with_name("merkle_vectors.json")
FIVE = [b"0,ant", b"1,cat", b"2,dog", b"3,bird", b"4,fish"]


def _reference_leaf(index: int, record: bytes) -> bytes:
    # abi.encode(uint256, bytes32) through eth_abi, independent of orchestrator.merkle
    return keccak(keccak(encode(["uint256", "bytes32"], [index, keccak(record)])))


def _reference_root(leaves: list[bytes]) -> bytes:
    while len(leaves) > 1:
        nxt = [keccak(b"".join(sorted(leaves[i : i + 2]))) for i in range(0, len(leaves) - 1, 2)]
        leaves = nxt + ([leaves[-1]] if len(leaves) % 2 else [])
    return leaves[0]


@pytest.mark.parametrize("n", range(1, 10))
def test_tree_everyProofVerifies(n: int) -> None:
    records = [f"record-{i}".encode() for i in range(n)]
    tree = commit_records(records)
    assert tree.leaf_count == n
    assert tree.root == "0x" + _reference_root([_reference_leaf(i, r) for i, r in enumerate(records)]).hex()
    for i, record in enumerate(records):
        assert tree.leaf(i) == "0x" + _reference_leaf(i, record).hex()
        assert verify(tree.root, i, record, tree.proof(i))
        assert not verify(tree.root, i, record + b"!", tree.proof(i))
        assert not verify(tree.root, (i + 1) % n, record, tree.proof(i)) or n == 1


def test_singleLeaf_isRoot() -> None:
    tree = commit_records([b"only"])
    assert tree.root == tree.leaf(0) and tree.proof(0) == []


def test_oddNode_isPromoted() -> None:
    tree = commit_records([b"a", b"b", b"c"])
    assert len(tree.proof(2)) == 1 and tree.proof(2)[0] == "0x" + tree.levels[1][0].hex()
    assert tree.levels[1][1] == tree.levels[0][2]


def test_empty_raises() -> None:
    with pytest.raises(InvalidDataset, match="empty"):
        commit_records([])


def test_proof_outOfRange_raises() -> None:
    with pytest.raises(IndexError):
        commit_records([b"a"]).proof(1)


def test_verify_rejectsWrongRootAndProof() -> None:
    tree = commit_records(FIVE)
    assert not verify("0x" + "00" * 32, 0, FIVE[0], tree.proof(0))
    assert not verify(tree.root, 0, FIVE[0], tree.proof(0)[:-1])
    assert process_proof(leaf_hash(3, FIVE[3]), tree.proof(3)).hex() == tree.root[2:]


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
    """The test vectors for a 5-record dataset, as written to merkle_vectors.json."""
    tree = commit_records(FIVE)
    return {
        "scheme": "leaf = keccak256(keccak256(abi.encode(uint256 index, bytes32 keccak256(record))));"
        " node = commutativeKeccak256(a, b); odd node promoted",
        "root": tree.root,
        "leafCount": tree.leaf_count,
        "leaves": [
            {
                "index": i,
                "record": "0x" + r.hex(),
                "recordText": r.decode(),
                "recordHash": "0x" + keccak(r).hex(),
                "leaf": tree.leaf(i),
                "proof": tree.proof(i),
            }
            for i, r in enumerate(FIVE)
        ],
    }


def test_vectorsFile_isCurrent() -> None:
    expected = build_vectors()
    assert json.loads(VECTORS.read_text()) == expected, "regenerate: PYTHONPATH=. python tests/storage/test_merkle.py"
    for entry in expected["leaves"]:  # type: ignore[union-attr]
        assert verify(expected["root"], entry["index"], bytes.fromhex(entry["record"][2:]), entry["proof"])


if __name__ == "__main__":
    VECTORS.write_text(json.dumps(build_vectors(), indent=2) + "\n")
