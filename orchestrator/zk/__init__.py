"""Zero-knowledge possession proofs: circomlib's Poseidon in Python and the Groth16 prover wrapper."""
