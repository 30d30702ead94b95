#!/usr/bin/env node
// Packs the publishable workspaces (packages/client, packages/lib, packages/react) with `npm pack`,
// which builds each one first (its `prepack` runs tsdown), and checks the tarballs as a registry
// user would get them: each holds its README and the repository's LICENSE, publint (package.json
// against the files) and Are the Types Wrong (the `.d.ts` resolve). It also prints the React entry's minified gzip size, and fails above its budget.
// `node scripts/pack-packages.mjs [dir]` is what .ci/run calls; the packing test imports
// packPackages() and installs the tarballs into a fresh project.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { transform } from 'esbuild'

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..')
const REACT_ENTRY = join(ROOT, 'packages', 'react', 'dist', 'index.js')
/**
 * The React bindings' budget, minified and gzipped: what an app pays for them beside React. 3.5 KB
 * since <SignIn/> offers the service's providers and passkeys and reads a provider's return; 4 KB
 * since it also takes the second factor's code and `useMfa()` came (3.65 KB measured then).
 */
export const REACT_ENTRY_BUDGET_BYTES = 4 * 1024

/** Builds and packs every workspace into `dir` (emptied first); returns the tarballs' paths. */
export async function packPackages(dir) {
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  // tsdown's progress goes to stdout with npm's own; the tarballs are read back from the directory.
  execFileSync('npm', ['pack', '--workspaces', '--pack-destination', dir], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const files = (await readdir(dir)).filter((name) => name.endsWith('.tgz')).sort()
  return files.map((name) => join(dir, name))
}

/** The files a tarball must carry beside its build: how to use it, and under which licence. */
export const REQUIRED_FILES = ['package/README.md', 'package/LICENSE']

/** Throws naming the tarball and what it lacks, or a LICENSE that is not the repository's. */
export function checkTarballFiles(tarball) {
  const entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n')
  const missing = REQUIRED_FILES.filter((file) => !entries.includes(file))
  if (missing.length > 0) throw new Error(`${tarball} lacks ${missing.join(' and ')}`)
  const licence = execFileSync('tar', ['-xzOf', tarball, 'package/LICENSE'], { encoding: 'utf8' })
  if (licence !== readFileSync(join(ROOT, 'LICENSE'), 'utf8'))
    throw new Error(`${tarball}: its LICENSE differs from the repository's; copy LICENSE over it`)
}

/** Its files, publint (warnings fail too) and attw (ESM-only: no CommonJS build is promised). */
export function checkTarball(tarball) {
  checkTarballFiles(tarball)
  const run = (bin, args) => execFileSync(bin, args, { cwd: ROOT, stdio: 'inherit' })
  run('npx', ['publint', 'run', tarball, '--strict'])
  run('npx', ['attw', tarball, '--profile', 'esm-only', '--no-color'])
}

/**
 * The built React entry (packages/react/dist/index.js, so pack first) minified by esbuild and
 * gzipped at level 9, as a bundler would ship it; React itself is imported, not counted.
 */
export async function reactEntrySize() {
  const { code } = await transform(await readFile(REACT_ENTRY, 'utf8'), {
    minify: true,
    format: 'esm',
    target: 'es2022',
    legalComments: 'none',
  })
  return { minified: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? join(ROOT, 'dist', 'packages'))
  for (const tarball of await packPackages(dir)) checkTarball(tarball)
  const size = await reactEntrySize()
  console.log(
    `@edge-session/react entry: ${size.minified} B minified, ${size.gzip} B gzip ` +
      `(budget ${REACT_ENTRY_BUDGET_BYTES} B)`,
  )
  if (size.gzip > REACT_ENTRY_BUDGET_BYTES) {
    console.error('The React entry is over its gzip budget.')
    process.exit(1)
  }
}
