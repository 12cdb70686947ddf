#!/usr/bin/env bash
# Exports the verification key and the Solidity verifier of circuits/possession.zkey into OUT_DIR
# (verification_key.json, PossessionVerifier.sol). `make zk-check` diffs them against the committed ones.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: export.sh OUT_DIR}
mkdir -p "$out"
snarkjs zkey export verificationkey "$here/possession.zkey" "$out/verification_key.json" >/dev/null
snarkjs zkey export solidityverifier "$here/possession.zkey" "$out/verifier.sol" >/dev/null
sed 's/^contract Groth16Verifier {/contract PossessionVerifier {/' "$out/verifier.sol" > "$out/PossessionVerifier.sol"
rm "$out/verifier.sol"
