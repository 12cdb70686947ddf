// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title The Groth16 verifier of the possession circuit (circuits/possession.circom), exported by snarkjs.
interface IPossessionVerifier {
    /// @notice Whether `(a, b, c)` proves the circuit for `publicSignals`: commitment, leafCount, the 4
    /// challenged indices, the challenge binding. Returns false (never reverts) on a bad proof.
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[7] calldata publicSignals
    ) external view returns (bool);
}
