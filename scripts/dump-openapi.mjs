#!/usr/bin/env node
// Writes the served OpenAPI document to a file (default dist/openapi.json): starts the service
// as the browser tests do (wrangler dev on a spare port, fresh state), fetches /openapi.json,
// stops it. The served document, not one rebuilt here, is what clients and `redocly lint` see.
//
//   node scripts/dump-openapi.mjs [out.json]
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { startService } from '../test-browser/harness.mjs'

const out = resolve(process.argv[2] ?? 'dist/openapi.json')
const service = await startService()
try {
  const res = await fetch(`${service.baseUrl}/openapi.json`)
  if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`)
  const doc = await res.json()
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, `${JSON.stringify(doc, null, 2)}\n`)
  console.log(`Wrote ${out}`)
} finally {
  await service.stop()
}
