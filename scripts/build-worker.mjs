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
// left to the runtime too: with `nodejs_compat` workerd has the one built-in the bundle imports
// (`node:async_hooks`, through hono); a new `node:` import that workerd lacks would fail at start,
// which `npm test`'s `wrangler dev` runs catch.
//
//   node scripts/build-worker.mjs [--metafile <path>]
//
// WORKER_MINIFY=false keeps names and lines readable in a start-up profile
// (`WORKER_MINIFY=false npx wrangler check startup`).
import { build } from 'esbuild'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

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
