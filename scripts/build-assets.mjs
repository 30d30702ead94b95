#!/usr/bin/env node
// Fills the generated half of public/ (Workers Static Assets, wrangler.toml `[assets]`): the
// OpenAPI document (public/openapi.json, built from the app's routes by dump-openapi.mjs), the
// browser SDK bundled for the demo (public/demo/client.js, from src/sdk/client/), the pinned,
// self-hosted API renderer for /docs (public/docs/redoc.standalone.js, Redoc as shipped inside the
// exact @redocly/cli dev dependency) and the React example built by Vite (public/react/, from
// examples/react/). All are git-ignored; `npm start`, `npm test` and CI run this first. Static
// assets are served from storage, not from the Worker bundle.
//
//   npm run build:assets
import { build } from 'esbuild'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { buildApiDocument, documentText } from './dump-openapi.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const API_DOCUMENT_PATH = join(ROOT, 'public', 'openapi.json')
export const CLIENT_PATH = join(ROOT, 'public', 'demo', 'client.js')
export const RENDERER_PATH = join(ROOT, 'public', 'docs', 'redoc.standalone.js')
export const REACT_EXAMPLE_DIR = join(ROOT, 'public', 'react')
const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli')
/** The Redoc bundle inside @redocly/cli; a new @redocly/cli may move it, so this is checked. */
const RENDERER_SOURCE = join(REDOCLY, 'lib', 'chunks', 'redoc.standalone.js')

/** The SDK as one browser ES module, and the files it was built from (relative to the root). */
export async function bundleClient() {
  const result = await build({
    entryPoints: [join(ROOT, 'src', 'sdk', 'client', 'index.ts')],
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

/** Builds examples/react with its Vite config into public/react/ (index.html and app.js). */
export async function buildReactExample() {
  // Imported here: only this build needs Vite, and loading it costs the other builds' callers.
  const { build } = await import('vite')
  await build({ configFile: join(ROOT, 'examples', 'react', 'vite.config.ts'), logLevel: 'warn' })
  return REACT_EXAMPLE_DIR
}

/**
 * The renderer's "API docs by" badge loads its logo from the vendor's CDN, which the page's CSP
 * (no third-party origin) refuses with a console error. The logo becomes the word as an inline SVG:
 * the attribution and its link stay, nothing is fetched. A new version that loads anything else
 * from the CDN fails the build instead of logging in every reader's console.
 */
function withLocalBadge(code, version) {
  const logo = (width) =>
    'data:image/svg+xml,' +
    encodeURIComponent(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="16">` +
        '<text x="0" y="12" font-family="sans-serif" font-size="12" fill="#555">Redocly</text></svg>',
    )
  const local = code
    .replaceAll('https://cdn.redoc.ly/redoc/logo-mini-full.svg', logo(48))
    .replaceAll('https://cdn.redoc.ly/redoc/logo-mini.svg', logo(48))
  if (local.includes('https://cdn.redoc.ly/'))
    throw new Error(`Redoc in @redocly/cli ${version} loads more from its CDN: see withLocalBadge`)
  return local
}

/** Writes every generated asset; returns their paths relative to the root. */
export async function buildAssets() {
  const { version } = JSON.parse(await readFile(join(REDOCLY, 'package.json'), 'utf8'))
  await mkdir(dirname(CLIENT_PATH), { recursive: true })
  await mkdir(dirname(RENDERER_PATH), { recursive: true })
  await writeFile(API_DOCUMENT_PATH, documentText(await buildApiDocument()))
  await writeFile(CLIENT_PATH, (await bundleClient()).code)
  const renderer = await readFile(RENDERER_SOURCE, 'utf8').catch((error) => {
    throw new Error(`No Redoc bundle in @redocly/cli ${version} at ${RENDERER_SOURCE}`, {
      cause: error,
    })
  })
  await writeFile(RENDERER_PATH, withLocalBadge(renderer, version))
  await buildReactExample()
  return [API_DOCUMENT_PATH, CLIENT_PATH, RENDERER_PATH, REACT_EXAMPLE_DIR].map((path) =>
    relative(ROOT, path),
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`Wrote ${(await buildAssets()).join(', ')}`)
}
