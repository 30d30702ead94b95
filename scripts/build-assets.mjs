#!/usr/bin/env node
// Fills the generated half of public/ (Workers Static Assets, wrangler.toml `[assets]`): the
// browser SDK bundled for the demo (public/demo/client.js, from src/client/) and the pinned,
// self-hosted API renderer for /docs (public/docs/redoc.standalone.js, Redoc as shipped inside the
// exact @redocly/cli dev dependency). Both are git-ignored; `npm start`, `npm test` and CI run this
// first. Static assets are served from storage, not from the Worker bundle.
//
//   npm run build:assets
import { build } from 'esbuild'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const CLIENT_PATH = join(ROOT, 'public', 'demo', 'client.js')
export const RENDERER_PATH = join(ROOT, 'public', 'docs', 'redoc.standalone.js')
const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli')
/** The Redoc bundle inside @redocly/cli; a new @redocly/cli may move it, so this is checked. */
const RENDERER_SOURCE = join(REDOCLY, 'lib', 'chunks', 'redoc.standalone.js')

/** The SDK as one browser ES module, and the files it was built from (relative to the root). */
export async function bundleClient() {
  const result = await build({
    entryPoints: [join(ROOT, 'src', 'client', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  })
  return {
    code: result.outputFiles[0].text,
    inputs: Object.keys(result.metafile.inputs).map((p) => relative(ROOT, join(process.cwd(), p))),
  }
}

/** Writes both generated assets; returns their paths relative to the root. */
export async function buildAssets() {
  const { version } = JSON.parse(await readFile(join(REDOCLY, 'package.json'), 'utf8'))
  await mkdir(dirname(CLIENT_PATH), { recursive: true })
  await mkdir(dirname(RENDERER_PATH), { recursive: true })
  await writeFile(CLIENT_PATH, (await bundleClient()).code)
  await copyFile(RENDERER_SOURCE, RENDERER_PATH).catch((error) => {
    throw new Error(`No Redoc bundle in @redocly/cli ${version} at ${RENDERER_SOURCE}`, {
      cause: error,
    })
  })
  return [CLIENT_PATH, RENDERER_PATH].map((path) => relative(ROOT, path))
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`Wrote ${(await buildAssets()).join(', ')}`)
}
