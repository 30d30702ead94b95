#!/usr/bin/env node
// The Worker's build (wrangler.toml `[build]`, run by `wrangler dev`, `wrangler deploy` and
// `wrangler check startup` before they load build/worker/): esbuild with code splitting, so the
// Worker is one small entry module plus chunks. Wrangler's own bundler writes one script, and
// workerd compiles all of one script when an isolate starts; it compiles a module only when
// something imports it. So the route modules, the passkey verifier, the provider clients and the
// authenticator-app code, which are reached through dynamic `import()`, cost an isolate nothing
// until a request needs them (issue #26: start-up CPU).
//
// The options follow wrangler's own esbuild call (wrangler-dist/cli.js, `bundleWorker`): its
// target, conditions, `keepNames`, NODE_ENV, and `cloudflare:*` left to the runtime. `node:*` is
// left to the runtime too, where wrangler would polyfill what workerd lacks: the built-ins the
// bundle may import are listed below (workerd has each with `nodejs_compat`), and the build fails
// on any other, so a new one is checked before it is added rather than found missing at start.
//
//   node scripts/build-worker.mjs [--metafile <path>]
//
// WORKER_MINIFY=false keeps names and lines readable in a start-up profile
// (`WORKER_MINIFY=false npx wrangler check startup`).
import { build } from 'esbuild'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

/** The Node built-ins the Worker imports, each provided by workerd under `nodejs_compat`. */
const RUNTIME_BUILT_INS = new Set(['cloudflare:workers', 'node:async_hooks'])

const root = join(import.meta.dirname, '..')
export const WORKER_OUTDIR = join(root, 'build', 'worker')

const { values } = parseArgs({ options: { metafile: { type: 'string' } } })

rmSync(WORKER_OUTDIR, { recursive: true, force: true })
const production = JSON.stringify(process.env.NODE_ENV || 'production')
const result = await build({
  absWorkingDir: root,
  entryPoints: { worker: 'src/worker.ts' },
  outdir: WORKER_OUTDIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  // Chunks are named by content, so an unchanged chunk keeps its name from one deploy to the next.
  chunkNames: 'chunks/[name]-[hash]',
  target: 'es2024',
  supported: { 'import-source': true, using: true },
  conditions: ['workerd', 'worker', 'browser'],
  external: ['cloudflare:*', 'node:*'],
  // zod without its translated error messages (see the file's header): a third of zod.
  alias: { zod: './scripts/zod-without-locales.mjs' },
  define: {
    'process.env.NODE_ENV': production,
    'global.process.env.NODE_ENV': production,
    'globalThis.process.env.NODE_ENV': production,
  },
  keepNames: true,
  minify: process.env.WORKER_MINIFY !== 'false',
  // Uploaded with the modules (`upload_source_maps`): stack traces name source lines.
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
})
if (values.metafile) writeFileSync(values.metafile, JSON.stringify(result.metafile))

const unknown = new Set(
  Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((imported) => imported.external && !RUNTIME_BUILT_INS.has(imported.path))
    .map((imported) => imported.path),
)
if (unknown.size > 0) {
  console.error(
    `build-worker: the Worker imports ${[...unknown].join(', ')}, left to the runtime; check that ` +
      'workerd provides it under nodejs_compat, then add it to RUNTIME_BUILT_INS.',
  )
  process.exit(1)
}
