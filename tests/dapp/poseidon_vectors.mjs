// The page's BigInt Poseidon and decision-2 commitment against circomlibjs (its wasm Poseidon, the one
// circom circuits match). Prints one JSON line; exits non-zero on any mismatch.
import { readFileSync } from "node:fs";
import { buildPoseidon } from "circomlibjs";
import { P, poseidonWith } from "../../dapp/src/poseidon.mjs";
import { poseidonCommitment, recordElements, recordsOf } from "../../dapp/src/commitment.mjs";

const constants = JSON.parse(readFileSync(new URL("../../dapp/vendor/poseidon-bn254.json", import.meta.url)));
const mine = poseidonWith(constants);
const ref = await buildPoseidon();
const theirs = (xs) => ref.F.toObject(ref(xs));

let seed = 0x2545f491n;
const rand = () => { seed = (seed * 6364136223846793005n + 1442695040888963407n) % (1n << 64n); return seed; };
const field = () => (rand() << 192n | rand() << 128n | rand() << 64n | rand()) % P;

const failures = [];
let checked = 0;
for (const n of [2, 16]) {
  const cases = [Array(n).fill(0n), Array(n).fill(P - 1n), Array.from({ length: n }, (_, i) => BigInt(i + 1))];
  for (let k = 0; k < 20; k++) cases.push(Array.from({ length: n }, field));
  for (const xs of cases) {
    checked++;
    if (mine(xs) !== theirs(xs)) failures.push(`Poseidon(${n} inputs) differs for ${xs.slice(0, 2).join(",")}…`);
  }
}

// decision 2 written out again over circomlibjs's Poseidon, as a second, independent reading of the rules
function reference(records) {
  const pad = (xs, n) => [...xs, ...Array(n - xs.length).fill(0n)];
  const recHash = (r) => {
    const e = recordElements(r);
    let h = theirs(pad(e.slice(0, 16), 16));
    for (let at = 16; at < e.length; at += 15) h = theirs([h, ...pad(e.slice(at, at + 15), 15)]);
    return h;
  };
  const zeros = [0n];
  for (let d = 0; d < 20; d++) zeros.push(theirs([zeros[d], zeros[d]]));
  let level = new Map(records.map((r, i) => [i, theirs([BigInt(i), recHash(r)])]));
  for (let d = 0; d < 20; d++) {
    const next = new Map();
    for (const i of new Set([...level.keys()].map((k) => k >> 1))) {
      next.set(i, theirs([level.get(2 * i) ?? zeros[d], level.get(2 * i + 1) ?? zeros[d]]));
    }
    level = next;
  }
  return "0x" + theirs([BigInt(records.length), level.get(0)]).toString(16).padStart(64, "0");
}
const enc = new TextEncoder();
const datasets = [
  [enc.encode("a,1")],
  Array.from({ length: 5 }, (_, i) => enc.encode(`${i},${i * i},row ${i}`)),
  [new Uint8Array(1000).map((_, i) => i % 251), enc.encode(""), new Uint8Array(31 * 16)],
];
for (const ds of datasets) {
  checked++;
  const a = poseidonCommitment(mine, ds), b = reference(ds);
  if (a !== b) failures.push(`commitment of ${ds.length} records: page ${a}, reference ${b}`);
}
const file = process.argv[2]; // and the commitment of one file's records, for the browser test to compare
const commitment = file ? reference(recordsOf(file, new Uint8Array(readFileSync(file))).records) : null;
console.log(JSON.stringify({ checked, failures, commitment }));
process.exit(failures.length ? 1 : 0);
