// Groth16 prover for orchestrator/zk/prover.py: reads {"wasm", "zkey", "input"} as JSON on stdin,
// writes {"a", "b", "c", "publicSignals"} (decimal strings, b in the Solidity verifier's order) on
// stdout. Any failure is one line on stderr and exit status 1.
import fs from "node:fs";

function fail(message) {
  fs.writeSync(2, `${String(message).split("\n")[0]}\n`);
  process.exit(1);
}

try {
  // imported here, not statically: a missing snarkjs install is then one line like any other failure
  const snarkjs = await import("snarkjs");
  const request = JSON.parse(fs.readFileSync(0, "utf8"));
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(request.input, request.wasm, request.zkey);
  const out = {
    a: proof.pi_a.slice(0, 2),
    // the verifier's pairing precompile takes each G2 coordinate as (imaginary, real)
    b: proof.pi_b.slice(0, 2).map(([re, im]) => [im, re]),
    c: proof.pi_c.slice(0, 2),
    publicSignals,
  };
  fs.writeSync(1, JSON.stringify(out) + "\n"); // writeSync: stdout is not truncated by exit
  process.exit(0); // snarkjs leaves worker threads running
} catch (err) {
  fail(err && err.message ? err.message : err);
}
