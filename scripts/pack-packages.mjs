#!/usr/bin/env node
// Packs the publishable workspaces (packages/client, packages/lib) with `npm pack`, which builds
// each one first (its `prepack` runs tsdown), and checks the tarballs as a registry user would get
// them: publint (package.json against the files) and Are the Types Wrong (the `.d.ts` resolve).
// `node scripts/pack-packages.mjs [dir]` is what .ci/run calls; the packing test imports
// packPackages() and installs the tarballs into a fresh project.
import { execFileSync } from 'node:child_process'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..')

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

/** publint (warnings fail too) and attw (ESM-only: no CommonJS build is promised). */
export function checkTarball(tarball) {
  const run = (bin, args) => execFileSync(bin, args, { cwd: ROOT, stdio: 'inherit' })
  run('npx', ['publint', 'run', tarball, '--strict'])
  run('npx', ['attw', tarball, '--profile', 'esm-only', '--no-color'])
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? join(ROOT, 'dist', 'packages'))
  for (const tarball of await packPackages(dir)) checkTarball(tarball)
}
