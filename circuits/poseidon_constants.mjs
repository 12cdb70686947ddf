// Regenerates orchestrator/zk/poseidon_constants.json from circomlibjs's published (optimised)
// Poseidon constants, keeping the two widths datacap uses: t=3 (2 inputs) and t=17 (16 inputs).
// Usage: node circuits/poseidon_constants.mjs
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(path.dirname(require.resolve("circomlibjs")), "..", "src", "poseidon_constants_opt.json");
const opt = JSON.parse(fs.readFileSync(source, "utf8"));
const out = {};
for (const t of [3, 17]) {
  out[t] = { C: opt.C[t - 2], S: opt.S[t - 2], M: opt.M[t - 2], P: opt.P[t - 2] };
}
fs.writeFileSync(path.join(here, "..", "orchestrator", "zk", "poseidon_constants.json"), JSON.stringify(out) + "\n");
