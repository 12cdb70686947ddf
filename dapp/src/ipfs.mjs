// The data plane from the page: CIDs computed in the browser (WebCrypto), adds through `datacap dapp`'s gateway.

const RAW = 0x55;
const SHA2_256 = 0x12;
const MAX_SINGLE_BLOCK = 256 * 1024; // Kubo's default chunk: a smaller file is one raw block
const B32 = "abcdefghijklmnopqrstuvwxyz234567";

function base32(bytes) {
  let out = "", bits = 0, value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) { out += B32[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** The sha2-256 digest the CID of `bytes` carries (decision 1: the $Data's metadataDigest). */
export async function digestOf(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** CIDv1 (raw, sha2-256) of `bytes`, as `ipfs add --cid-version 1` prints it for a file under 256 KiB. */
export async function cidOf(bytes) {
  if (bytes.length > MAX_SINGLE_BLOCK) throw new Error(`the page computes CIDs of files up to 256 KiB, not ${bytes.length} bytes`);
  const digest = await digestOf(bytes);
  return "b" + base32(new Uint8Array([0x01, RAW, SHA2_256, digest.length, ...digest]));
}

/** The CLI's canonical JSON (sorted keys, compact, UTF-8) of a document, as bytes. */
export function canonicalJson(doc) {
  const sort = (v) => (Array.isArray(v) ? v.map(sort) : v && typeof v === "object"
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])])) : v);
  return new TextEncoder().encode(JSON.stringify(sort(doc)));
}

/** Put bytes through the gateway; refuses a CID other than the one computed here. */
export async function put(bytes) {
  const want = await cidOf(bytes);
  const r = await fetch(new URL("ipfs/add", location.href), { method: "POST", body: bytes });
  const reply = await r.json();
  if (!r.ok) throw new Error(`IPFS add failed: ${reply.error}`);
  if (reply.cid !== want) throw new Error(`the store answered CID ${reply.cid}, the page computed ${want}`);
  return reply.cid;
}

export const putJson = (doc) => put(canonicalJson(doc));
