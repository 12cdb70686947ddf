// Reference values from circomlibjs for tests/storage/test_poseidon.py: reads
// {"vectors": [[int, ...], ...], "records": ["hex", ...]} on stdin and prints
// {"hashes": [...], "commitment": "0x..", "leaves": [...]} with the dataset commitment
// scheme of orchestrator/merkle.py written again here, independently, over circomlibjs.
import fs from "node:fs";
import { buildPoseidon } from "circomlibjs";

const poseidon = await buildPoseidon();
const H = (xs) => poseidon.F.toObject(poseidon(xs.map(BigInt)));
const request = JSON.parse(fs.readFileSync(0, "utf8"));

function recordHash(bytes) {
  const e = [BigInt(bytes.length)];
  for (let i = 0; i < bytes.length; i += 31) e.push(BigInt("0x" + (Buffer.from(bytes.subarray(i, i + 31)).toString("hex") || "0")));
  const pad = (xs, n) => [...xs, ...Array(n - xs.length).fill(0n)];
  let h = H(pad(e.slice(0, 16), 16));
  for (let i = 16; i < e.length; i += 15) h = H([h, ...pad(e.slice(i, i + 15), 15)]);
  return h;
}

const records = request.records.map((hex) => Buffer.from(hex, "hex"));
let level = records.map((r, i) => H([i, recordHash(r)]));
const leaves = level.map(String);
let zero = 0n;
for (let d = 0; d < 20; d++) {
  if (level.length % 2) level.push(zero);
  const up = [];
  for (let i = 0; i < level.length; i += 2) up.push(H([level[i], level[i + 1]]));
  level = up;
  zero = H([zero, zero]);
}
const commitment = "0x" + H([records.length, level[0]]).toString(16).padStart(64, "0");
fs.writeSync(1, JSON.stringify({ hashes: request.vectors.map((v) => H(v).toString()), commitment, leaves }) + "\n");
process.exit(0);
