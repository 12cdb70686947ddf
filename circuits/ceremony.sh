#!/usr/bin/env bash
# DEVELOPMENT trusted setup for the possession circuit: one local powers-of-tau, one phase-2
# contribution and a random beacon, all on this machine, so whoever ran it could forge proofs.
# A deployment follows docs/zk.md instead. Usage: circuits/ceremony.sh OUT_DIR (takes ~15 min).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: ceremony.sh OUT_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rand() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

circom2 "$here/possession_main.circom" --r1cs --wasm --O2 -l "$here/../node_modules" -o "$work"
snarkjs powersoftau new bn128 15 "$work/pot_0.ptau"
snarkjs powersoftau contribute "$work/pot_0.ptau" "$work/pot_1.ptau" -n="datacap dev" -e="$(rand)"
snarkjs powersoftau prepare phase2 "$work/pot_1.ptau" "$work/pot_final.ptau"
snarkjs groth16 setup "$work/possession_main.r1cs" "$work/pot_final.ptau" "$work/c_0.zkey"
snarkjs zkey contribute "$work/c_0.zkey" "$work/c_1.zkey" -n="datacap dev phase 2" -e="$(rand)"
snarkjs zkey beacon "$work/c_1.zkey" "$work/final.zkey" "$(rand)" 10 -n="datacap dev beacon"
snarkjs zkey verify "$work/possession_main.r1cs" "$work/pot_final.ptau" "$work/final.zkey"
mkdir -p "$out"
cp "$work/final.zkey" "$out/possession.zkey"
cp "$work/possession_main_js/possession_main.wasm" "$out/possession.wasm"
