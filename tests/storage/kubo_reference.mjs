// Independent reference for `ipfs add --cid-version 1` CIDs, using js-ipfs-unixfs's importer
// with Kubo's import settings. Reads [{"pattern": "mod251"|"zeros", "size": N}, ...] as JSON on
// stdin and writes the list of CIDs (base32 CIDv1) as JSON on stdout. Data is generated in
// 1 MiB pieces, so multi-GB inputs stream in constant memory.
//
// The packages are taken from the project's node_modules when installed there, otherwise from
// $UNIXFS_REF_DIR/node_modules (default /tmp/unixfs-ref). Exit code 3 means "not installed".
import { readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

async function load (name, subpath = '.') {
  try {
    return await import(subpath === '.' ? name : `${name}/${subpath.slice(2)}`)
  } catch {
    const dir = join(process.env.UNIXFS_REF_DIR ?? '/tmp/unixfs-ref', 'node_modules', name)
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      const entry = pkg.exports?.[subpath]?.import ?? pkg.module ?? pkg.main
      return await import(pathToFileURL(join(dir, entry)).href)
    } catch {
      process.stderr.write(`reference package ${name} is not installed\n`)
      process.exit(3)
    }
  }
}

const { importer } = await load('ipfs-unixfs-importer')
const { fixedSize } = await load('ipfs-unixfs-importer', './chunker')
const { balanced } = await load('ipfs-unixfs-importer', './layout')
const { BlackHoleBlockstore } = await load('blockstore-core')

const PIECE = 1 << 20
const zeros = new Uint8Array(PIECE)
const mod251 = new Uint8Array(PIECE + 251)
for (let i = 0; i < mod251.length; i++) mod251[i] = i % 251

function * generate (pattern, size) {
  for (let offset = 0; offset < size; offset += PIECE) {
    const n = Math.min(PIECE, size - offset)
    if (pattern === 'zeros') yield zeros.subarray(0, n)
    else if (pattern === 'mod251') yield mod251.slice(offset % 251, offset % 251 + n)
    else throw new Error(`unknown pattern ${pattern}`)
  }
}

const options = {
  cidVersion: 1,
  rawLeaves: true,
  leafType: 'raw',
  reduceSingleLeafToSelf: true,
  chunker: fixedSize({ chunkSize: 262144 }),
  layout: balanced({ maxChildrenPerNode: 174 })
}

const specs = JSON.parse(readFileSync(0, 'utf8'))
const out = []
for (const { pattern, size } of specs) {
  let cid
  for await (const entry of importer([{ content: generate(pattern, size) }], new BlackHoleBlockstore(), options)) {
    cid = entry.cid.toString()
  }
  out.push(cid)
}
writeSync(1, JSON.stringify(out) + '\n')
