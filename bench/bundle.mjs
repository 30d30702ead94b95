// The deployable Worker's size: `wrangler deploy --dry-run --outdir <dir>` builds it as a deploy
// would (wrangler.toml's `[build]`, scripts/build-worker.mjs: an entry module and the chunks it
// splits off) without uploading. Every module is gzipped here with zlib level 9 and the sizes
// summed (the upload); the modules an isolate compiles at start (the entry and what it imports
// statically, transitively) are summed apart. Wrangler's own "Total Upload … / gzip: …" line is
// kept as a cross-check.
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { runWrangler } from './wrangler.mjs'

/** Issue #26's goal for the deployed bundle. */
export const BUNDLE_GOAL_GZIP_BYTES = 160 * 1024
const ENTRY = 'worker.js'

export async function measureBundle(root, outdir) {
  rmSync(outdir, { recursive: true, force: true })
  const start = performance.now()
  const output = await runWrangler(['deploy', '--dry-run', '--outdir', outdir], {
    cwd: root,
    timeoutMs: 120_000,
  })
  const buildMs = performance.now() - start
  const modules = moduleSizes(outdir)
  const atStart = startupModules(outdir, ENTRY)
  const sum = (list, field) => list.reduce((total, m) => total + m[field], 0)
  const started = modules.filter((m) => atStart.has(m.path))
  const wrangler = output.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/)
  return {
    entry: join(outdir, ENTRY),
    modules: modules.length,
    rawBytes: sum(modules, 'rawBytes'),
    gzipBytes: sum(modules, 'gzipBytes'),
    startup: { modules: started.length, ...{ rawBytes: sum(started, 'rawBytes') } },
    startupGzipBytes: sum(started, 'gzipBytes'),
    gzipLevel: 9,
    buildMs,
    wranglerReport: wrangler
      ? { totalKiB: Number(wrangler[1]), gzipKiB: Number(wrangler[2]) }
      : null,
  }
}

/** Every JavaScript module the dry run wrote, with its size raw and gzipped. */
export function moduleSizes(outdir) {
  return readdirSync(outdir, { recursive: true })
    .filter((path) => path.endsWith('.js'))
    .map((path) => {
      const code = readFileSync(join(outdir, path))
      return { path, rawBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length }
    })
}

/** The entry and every module it imports statically, transitively (not `import()`). */
export function startupModules(outdir, entry) {
  const seen = new Set()
  const visit = (path) => {
    if (seen.has(path)) return
    seen.add(path)
    const code = readFileSync(join(outdir, path), 'utf8')
    // esbuild's minified ESM: `import{a as b}from"./chunks/x.js"` or `import"./chunks/x.js"`.
    for (const [, spec] of code.matchAll(/(?:\bfrom|\bimport)\s*"(\.{1,2}\/[^"]+\.js)"/g))
      visit(relative(outdir, resolve(outdir, dirname(path), spec)))
  }
  visit(entry)
  return seen
}

export function printBundle(bundle) {
  if (bundle.error) {
    console.log(`\nBundle: not measured (${bundle.error.split('\n')[0]})`)
    return
  }
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`
  const check = bundle.wranglerReport
    ? ` (wrangler's own report: ${bundle.wranglerReport.totalKiB} KiB / gzip ${bundle.wranglerReport.gzipKiB} KiB)`
    : ''
  const goal = bundle.gzipBytes <= BUNDLE_GOAL_GZIP_BYTES ? 'MET' : 'MISSED'
  console.log(
    `\nBundle (wrangler deploy --dry-run, ${bundle.modules} modules): ${kb(bundle.rawBytes)} raw, ` +
      `${kb(bundle.gzipBytes)} gzip -9${check}; goal <= 160 KiB gzip ${goal}. ` +
      `Compiled at start: ${bundle.startup.modules} modules, ${kb(bundle.startup.rawBytes)} raw, ` +
      `${kb(bundle.startupGzipBytes)} gzip -9`,
  )
}
