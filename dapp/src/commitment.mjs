// Dataset commitments in the browser, exactly as the CLI computes them (orchestrator/merkle.py):
// the same record split, then the scheme the deployment's CLI uses (config.commitmentScheme).
import { ethers } from "ethers";
import { loadPoseidon } from "./poseidon.mjs";

export const CHUNK_SIZE = 65_536;
const DEPTH = 20;       // decision 2: fixed tree depth
const RECORD_HEAD = 16; // Poseidon inputs of a record's first hash
const RECORD_MORE = 15; // elements per further hash (the running hash is the 16th input)

export class InvalidDataset extends Error {}

// -- records (merkle.load_records) -----------------------------------------------------------------

function lines(bytes) {
  // Python's bytes.splitlines(keepends=True): \n, \r and \r\n end a line
  const out = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a || bytes[i] === 0x0d) {
      if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) i++;
      out.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function parseRow(text, line) {
  // csv.reader(strict=True) on one (possibly multi-line) row: comma-separated, "" escapes inside quotes
  const fields = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new InvalidDataset(`line ${line}: unexpected end of data`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ",") throw new InvalidDataset(`line ${line}: '"' expected after '"'`);
    } else {
      while (i < text.length && text[i] !== ",") field += text[i++];
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

export function csvRecords(bytes) {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidDataset("text is not valid UTF-8");
  }
  const records = [];
  let columns = null, header = null, row = [], startLine = 1;
  const blank = [];
  const quote = (b) => b.reduce((n, c) => n + (c === 0x22), 0);
  const physical = lines(bytes);
  let quotes = 0;
  physical.forEach((line, k) => {
    const number = k + 1;
    if (!row.length) { startLine = number; quotes = 0; }
    row.push(line);
    quotes += quote(line);
    if (quotes % 2) return; // an open quoted field continues on the next line
    let content = concat(row);
    row = [];
    let end = content.length;
    while (end > 0 && (content[end - 1] === 0x0a || content[end - 1] === 0x0d)) end--;
    content = content.subarray(0, end);
    const str = new TextDecoder().decode(content);
    if (!str.trim()) { blank.push(startLine); return; }
    if (blank.length) throw new InvalidDataset(`line ${blank[0]}: blank line inside the data`);
    const fields = parseRow(str, startLine);
    if (columns === null) {
      header = fields.map((f) => f.trim().replace(/^\ufeff+/, ""));
      if (header.some((n) => !n) || new Set(header).size !== header.length) {
        throw new InvalidDataset(`line ${startLine}: header needs unique, non-empty names`);
      }
      columns = fields.length;
      return;
    }
    if (fields.length !== columns) throw new InvalidDataset(`line ${startLine}: row has ${fields.length} fields, header has ${columns}`);
    records.push(content.slice());
  });
  if (row.length) throw new InvalidDataset(`line ${startLine}: unterminated quoted field`);
  if (columns === null) throw new InvalidDataset("no header row");
  return { records, header };
}

export function chunkRecords(bytes, size = CHUNK_SIZE) {
  const records = [];
  for (let at = 0; at < bytes.length; at += size) records.push(bytes.slice(at, at + size));
  return records;
}

/** The records of a file as the CLI splits it: CSV rows for *.csv, else 64 KiB chunks. */
export function recordsOf(fileName, bytes) {
  const kind = /\.csv$/i.test(fileName) ? "csv" : "chunks";
  const { records, header } = kind === "csv" ? csvRecords(bytes) : { records: chunkRecords(bytes), header: null };
  if (!records.length) throw new InvalidDataset(`dataset ${fileName} has no records`);
  return { kind, records, header };
}

// -- schemes ---------------------------------------------------------------------------------------

const hex32 = (x) => "0x" + x.toString(16).padStart(64, "0");

/** datacap-merkle-v1 (today's CLI): keccak leaves keccak(keccak(index32 || keccak(record))), sorted pairs, odd promoted. */
export function keccakRoot(records) {
  let level = records.map((r, i) => ethers.keccak256(ethers.keccak256(ethers.concat([ethers.toBeHex(i, 32), ethers.keccak256(r)]))));
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      const [a, b] = [level[i], level[i + 1]];
      next.push(ethers.keccak256(ethers.concat(a < b ? [a, b] : [b, a])));
    }
    if (level.length % 2) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/** Record -> field elements (decision 2): [byte length] + 31-byte big-endian chunks. */
export function recordElements(record) {
  const e = [BigInt(record.length)];
  for (let at = 0; at < record.length; at += 31) {
    let v = 0n;
    for (const b of record.subarray(at, at + 31)) v = (v << 8n) | BigInt(b);
    e.push(v);
  }
  return e;
}

const pad = (xs, n) => [...xs, ...Array(n - xs.length).fill(0n)];

export function recordHash(poseidon, record) {
  const e = recordElements(record);
  let h = poseidon(pad(e.slice(0, RECORD_HEAD), RECORD_HEAD));
  for (let at = RECORD_HEAD; at < e.length; at += RECORD_MORE) h = poseidon([h, ...pad(e.slice(at, at + RECORD_MORE), RECORD_MORE)]);
  return h;
}

/** Decision 2: leaves Poseidon(i, h_i), a depth-20 tree with zero subtrees, commitment Poseidon(leafCount, root). */
export function poseidonCommitment(poseidon, records) {
  let level = records.map((r, i) => poseidon([BigInt(i), recordHash(poseidon, r)]));
  let zero = 0n;
  for (let d = 0; d < DEPTH; d++) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) next.push(poseidon([level[i], i + 1 < level.length ? level[i + 1] : zero]));
    level = next.length ? next : [poseidon([zero, zero])];
    zero = poseidon([zero, zero]);
  }
  return hex32(poseidon([BigInt(records.length), level[0]]));
}

/** The commitment scheme names as the CLI writes them into $Data metadata, and how to compute each. */
export const SCHEMES = {
  "datacap-merkle-v1": async (records) => keccakRoot(records),
  "datacap-poseidon-v1": async (records) => poseidonCommitment(await loadPoseidon(), records),
};

/** {kind, records, header, commitment, leafCount} of a local file, computed with the deployment's scheme. */
export async function commitFile(scheme, fileName, bytes) {
  const compute = SCHEMES[scheme];
  if (!compute) throw new InvalidDataset(`this page does not know the commitment scheme ${JSON.stringify(scheme)} the CLI uses`);
  const split = recordsOf(fileName, bytes);
  return { ...split, leafCount: split.records.length, commitment: await compute(split.records) };
}
