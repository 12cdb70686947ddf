"""circomlib's Poseidon in Python against circomlibjs, and the dataset commitment against a JS rewrite."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from orchestrator import merkle
from orchestrator.zk.poseidon import FIELD, poseidon

REFERENCE = Path(__file__).with_name("poseidon_reference.mjs")


def _reference(vectors: list[list[int]], records: list[bytes]) -> dict:
    request = json.dumps({"vectors": [[str(x) for x in v] for v in vectors], "records": [r.hex() for r in records]})
    done = subprocess.run(["node", str(REFERENCE)], input=request, capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    return json.loads(done.stdout)


def test_poseidon_matchesCircomlibjs_2and16Inputs() -> None:
    rng = random.Random(10)
    vectors = [[1, 2], [0, 0], [FIELD - 1, FIELD - 2], list(range(1, 17)), [0] * 16]
    vectors += [[rng.randrange(FIELD) for _ in range(n)] for n in (2, 16) for _ in range(3)]
    expected = _reference(vectors, [b"x"])["hashes"]
    assert [str(poseidon(v)) for v in vectors] == expected


@pytest.mark.parametrize("n", [1, 3, 15, 17])
def test_poseidon_otherWidths_areRejected(n: int) -> None:
    with pytest.raises(ValueError, match="inputs here"):
        poseidon([1] * n)


def test_poseidon_nonFieldInput_isRejected() -> None:
    with pytest.raises(ValueError, match="field element"):
        poseidon([FIELD, 1])


def test_recordHash_everyLengthFrom1To16Elements_matchesCircomlibjs() -> None:
    """Records of 0..16 field elements' worth of bytes, and longer chained ones, across chunk edges."""
    lengths = [0, 1, 30, 31, 32, 62, 31 * 15 - 1, 31 * 15, 31 * 15 + 1, 31 * 29, 31 * 30 + 5, 1000]
    records = [bytes((i * 7 + n) % 256 for i in range(n)) for n in lengths]
    ref = _reference([], records)
    tree = merkle.commit_records(records)
    assert [str(leaf) for leaf in tree.levels[0]] == ref["leaves"]
    assert tree.commitment == ref["commitment"]


def test_recordHashInput_isTheLastStep() -> None:
    for record in (b"", b"a" * 40, b"b" * 500, b"c" * 2000):
        inputs = merkle.record_hash_input(record)
        assert len(inputs) == merkle.HASH_INPUTS
        assert poseidon(inputs) == merkle.record_hash(record)
