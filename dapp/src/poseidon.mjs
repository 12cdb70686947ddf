// circomlib's Poseidon over BN254 in BigInt arithmetic (the reference algorithm of circomlibjs,
// poseidon_reference.js), for the state widths the dataset commitment uses: t = 3 and t = 17.
// The constants are circomlibjs's, vendored by scripts/vendor_dapp.py into dapp/vendor/poseidon-bn254.json.

export const P = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n; // the BN254 scalar field (circom's prime)

/** A Poseidon function over the given constants ({fullRounds, widths: {t: {partialRounds, C, M}}}). */
export function poseidonWith(constants) {
  const params = {};
  for (const [t, w] of Object.entries(constants.widths)) {
    params[t] = { partial: w.partialRounds, C: w.C.map(BigInt), M: w.M.map((row) => row.map(BigInt)) };
  }
  const full = constants.fullRounds;
  const pow5 = (a) => { const a2 = (a * a) % P; return (((a2 * a2) % P) * a) % P; };
  return function poseidon(inputs) {
    const t = inputs.length + 1;
    const p = params[t];
    if (!p) throw new Error(`no Poseidon constants for ${inputs.length} inputs`);
    let state = [0n, ...inputs.map((x) => BigInt(x) % P)];
    const rounds = full + p.partial;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < t; i++) state[i] = (state[i] + p.C[r * t + i]) % P;
      if (r < full / 2 || r >= full / 2 + p.partial) state = state.map(pow5);
      else state[0] = pow5(state[0]);
      const next = new Array(t);
      for (let i = 0; i < t; i++) {
        let acc = 0n;
        const row = p.M[i];
        for (let j = 0; j < t; j++) acc += row[j] * state[j];
        next[i] = acc % P;
      }
      state = next;
    }
    return state[0];
  };
}

let loaded = null;

/** The page's Poseidon, its constants fetched once from the vendored file. */
export function loadPoseidon(base = globalThis.location?.href) {
  loaded ||= fetch(new URL("vendor/poseidon-bn254.json", base)).then((r) => r.json()).then(poseidonWith);
  return loaded;
}
