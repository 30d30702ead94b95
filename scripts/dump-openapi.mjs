#!/usr/bin/env node
// Builds the OpenAPI document in Node from the app's own route definitions (src/app.ts
// `describeApi`), so that no Worker isolate spends its start-up generating it. build-assets.mjs
// writes it to public/openapi.json, which `GET /openapi.json` serves with this deployment's origin;
// run directly, this writes it to a file for `redocly lint` (default dist/openapi.json).
//
//   node scripts/dump-openapi.mjs [out.json]
import { build } from 'esbuild'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Node has no `cloudflare:workers`; building the routes only needs its classes to extend (the
 * session object's base classes are declared, never run, when the document is built).
 */
const workersRuntimeStandIn = {
  name: 'cloudflare-workers-stand-in',
  setup(build) {
    build.onResolve({ filter: /^cloudflare:/ }, (args) => ({
      path: args.path,
      namespace: 'workers-stand-in',
    }))
    build.onLoad({ filter: /.*/, namespace: 'workers-stand-in' }, () => ({
      contents:
        'export class DurableObject {}\nexport class WorkerEntrypoint {}\n' +
        'export class RpcTarget {}\nexport const env = {}\n',
      loader: 'js',
    }))
  },
}

/** The document every configuration's served one is cut from (servers: this origin). */
export async function buildApiDocument() {
  const result = await build({
    stdin: {
      contents: "export { describeApi } from './src/app.ts'",
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    write: false,
    logLevel: 'silent',
    plugins: [workersRuntimeStandIn],
  })
  // Imported from a file of its own: Node resolves nothing else, as everything is bundled.
  const file = join(ROOT, 'node_modules', '.cache', `openapi-${process.pid}.mjs`)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, result.outputFiles[0].text)
  try {
    const { describeApi } = await import(pathToFileURL(file).href)
    return await describeApi()
  } finally {
    await rm(file, { force: true })
  }
}

/** The document as JSON text, as it is written to every file. */
export const documentText = (doc) => `${JSON.stringify(doc, null, 2)}\n`

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = resolve(process.argv[2] ?? 'dist/openapi.json')
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, documentText(await buildApiDocument()))
  console.log(`Wrote ${out}`)
}
