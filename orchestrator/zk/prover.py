"""Groth16 possession proofs: the witness from local records, the proof by snarkjs in a node subprocess."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestrator import merkle
from orchestrator.config import PROJECT_ROOT
from orchestrator.errors import DatacapError

CIRCUITS = PROJECT_ROOT / "circuits"
WASM = CIRCUITS / "possession.wasm"
ZKEY = CIRCUITS / "possession.zkey"
PROVER = CIRCUITS / "prove.mjs"
SAMPLES = 4
"""Challenged records per proof: the circuit's S (circuits/possession_main.circom)."""


class ProverError(DatacapError):
    """snarkjs could not produce a proof (bad witness, missing artifacts, node failure)."""


@dataclass(frozen=True)
class Groth16Proof:
    """A proof and the public signals it was made for (commitment, leafCount, indices, binding)."""

    a: tuple[int, int]
    b: tuple[tuple[int, int], tuple[int, int]]
    c: tuple[int, int]
    public_signals: tuple[int, ...]

    def as_solidity(self) -> tuple:
        """The ``Proof`` struct argument of ``PossessionChallenges.respond``."""
        return (list(self.a), [list(row) for row in self.b], list(self.c))


def possession_input(tree: merkle.MerkleTree, records: Sequence[bytes], indices: Sequence[int],
                     binding: int) -> dict:
    """The circuit's input for the challenged ``indices`` of the dataset ``records``/``tree``."""
    return {
        "commitment": str(int(tree.commitment, 16)),
        "leafCount": str(tree.leaf_count),
        "indices": [str(i) for i in indices],
        "binding": str(binding),
        "records": [[str(x) for x in merkle.record_hash_input(records[i])] for i in indices],
        "siblings": [[str(x) for x in tree.proof(i)] for i in indices],
    }


def _reason(stderr: str) -> str:
    """prove.mjs's one line; when node itself crashed, the line naming the error (not its version banner)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not line.startswith("Node.js v")]
    return next((line for line in reversed(lines) if "Error" in line), lines[0] if lines else "")


def prove(circuit_input: dict, *, wasm: Path = WASM, zkey: Path = ZKEY, timeout: float = 300) -> Groth16Proof:
    """Run snarkjs's ``groth16.fullProve`` in node; raises ProverError with snarkjs's one-line reason."""
    for artifact in (wasm, zkey, PROVER):
        if not Path(artifact).is_file():
            raise ProverError(f"missing circuit artifact {artifact}")
    request = json.dumps({"wasm": str(wasm), "zkey": str(zkey), "input": circuit_input})
    try:
        done = subprocess.run(["node", str(PROVER)], input=request, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ProverError(f"prover did not run: {exc}") from None
    if done.returncode != 0:
        raise ProverError(f"prover failed: {_reason(done.stderr) or f'exit status {done.returncode}'}")
    out = json.loads(done.stdout)
    return Groth16Proof(
        a=(int(out["a"][0]), int(out["a"][1])),
        b=tuple(tuple(int(x) for x in row) for row in out["b"]),
        c=(int(out["c"][0]), int(out["c"][1])),
        public_signals=tuple(int(x) for x in out["publicSignals"]),
    )


def prove_possession(tree: merkle.MerkleTree, records: Sequence[bytes], indices: Sequence[int], binding: int,
                     **kwargs) -> Groth16Proof:
    """A proof that whoever made it holds the records at ``indices``, bound to one challenge."""
    if len(indices) != SAMPLES:
        raise ValueError(f"a proof answers {SAMPLES} indices, got {len(indices)}")
    return prove(possession_input(tree, records, indices, binding), **kwargs)
