"""Possession proofs: Groth16 proof time for S = 1, 4, 8 challenged records, and the Poseidon tree build.

S=4 uses the committed zkey. S=1 and S=8 are bench-only circuits, each with a throwaway setup under
``--work`` (kept between runs; the first S=8 run prepares a 2^16 powers of tau, which takes a long
time on 2 cores). Pass ``--only 4`` to skip them. Peers: proof time is shown against the 10 s target
and as a ratio to S=4; the Poseidon tree build is shown against a keccak tree built the same way in
Python (the commitment datacap used before).

    PYTHONPATH=. python bench/zk_proof.py [--only 1,4,8] [--rows 10000] [--work /tmp/datacap-zk-bench]
"""

from __future__ import annotations

import argparse
import math
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eth_hash.auto import keccak

from orchestrator import merkle
from orchestrator.zk import prover

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "node_modules" / ".bin"


def _run(*cmd: str) -> str:
    return subprocess.run(list(cmd), check=True, capture_output=True, text=True, cwd=ROOT).stdout


def _variant(s: int, work: Path) -> tuple[Path, Path]:
    """(wasm, zkey) of Possession(S=s), set up once under ``work``."""
    if s == prover.SAMPLES:
        return prover.WASM, prover.ZKEY
    d = work / f"s{s}"
    wasm, zkey = d / "main_js" / "main.wasm", d / "final.zkey"
    if zkey.exists():
        return wasm, zkey
    d.mkdir(parents=True, exist_ok=True)
    (d / "main.circom").write_text(
        'pragma circom 2.1.0;\ninclude "possession.circom";\n'
        f"component main {{public [commitment, leafCount, indices, binding]}} = Possession({s}, 20, 16);\n")
    # circom2 (WebAssembly) reads only below the working directory: relative include paths
    info = _run(str(BIN / "circom2"), str(d / "main.circom"), "--r1cs", "--wasm", "--O2", "-l", "circuits",
                "-l", "node_modules", "-o", str(d))
    constraints = int(next(line for line in info.splitlines() if "non-linear constraints" in line).split(":")[1])
    power = max(10, math.ceil(math.log2(constraints + 100)))
    snarkjs = str(BIN / "snarkjs")
    _run(snarkjs, "powersoftau", "new", "bn128", str(power), str(d / "p0.ptau"))
    _run(snarkjs, "powersoftau", "contribute", str(d / "p0.ptau"), str(d / "p1.ptau"), "-e=bench")
    _run(snarkjs, "powersoftau", "prepare", "phase2", str(d / "p1.ptau"), str(d / "p.ptau"))
    _run(snarkjs, "groth16", "setup", str(d / "main.r1cs"), str(d / "p.ptau"), str(zkey))
    return wasm, zkey


def _prove_time(s: int, work: Path, records, tree) -> float:
    wasm, zkey = _variant(s, work)
    idx = [random.Random(s).randrange(len(records)) for _ in range(s)]
    circuit_input = prover.possession_input(tree, records, idx, binding=1)
    start = time.perf_counter()
    prover.prove(circuit_input, wasm=wasm, zkey=zkey)
    return time.perf_counter() - start


def _keccak_tree(records: list[bytes]) -> bytes:
    level = [keccak(i.to_bytes(32, "big") + keccak(r)) for i, r in enumerate(records)]
    for _ in range(merkle.DEPTH):
        level += [b"\0" * 32] * (len(level) % 2)
        level = [keccak(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="1,4,8")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "datacap-zk-bench")
    args = parser.parse_args()

    rows = [f"{i},{i * 7 % 13},{i * 0.37:.3f},label-{i % 5}".encode() for i in range(args.rows)]
    start = time.perf_counter()
    tree = merkle.commit_records(rows)
    poseidon_s = time.perf_counter() - start
    start = time.perf_counter()
    _keccak_tree(rows)
    keccak_s = time.perf_counter() - start
    per_10k = 10_000 / args.rows
    print(f"tree build per 10k rows: Poseidon {poseidon_s * per_10k:.2f} s, keccak (Python peer) "
          f"{keccak_s * per_10k:.3f} s, ratio {poseidon_s / keccak_s:.0f}x "
          f"({poseidon_s / args.rows * 1e3:.2f} ms per row; cached after the first build)")

    sizes = [int(s) for s in args.only.split(",")]
    times = {s: _prove_time(s, args.work, rows, tree) for s in sizes}
    base = times.get(prover.SAMPLES)
    print(f"{'S':>3} {'prove s':>8} {'vs 10 s target':>15} {'vs S=4':>7}")
    for s, t in times.items():
        print(f"{s:>3} {t:>8.2f} {t / 10:>14.2f}x {t / base if base else float('nan'):>6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
