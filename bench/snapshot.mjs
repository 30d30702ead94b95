// A frozen copy of the working tree for the service to run from. `wrangler dev` watches every file
// its bundler read and reloads the Worker (a new workerd process running the new code) whenever one
// changes: on a tree that others edit while the bench runs, a scenario would otherwise measure a
// restart, or half of it old code and half new. The copy is taken once, at the start of the run,
// and the service, the bundle size and `wrangler d1 execute` all use it.
//
// It lives outside the project (in the OS temp directory): esbuild reads the package.json and
// tsconfig.json of every directory above each file it bundles, so a copy inside the project would
// still reload when someone edits the project's own package.json or tsconfig.json. For the same
// reason node_modules is not a symlink back to the project's (its real path would be inside the
// project) but a tree of hard links to the same files (`cp -al`: seconds, no extra space); its
// caches are dropped so that nothing written through the copy lands in the project's files.
//
// Copied: every top-level entry except those below; the local secrets in .dev.vars are left
// behind, and scripts/start.mjs writes fresh dev ones into the copy.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const SKIPPED = new Set([
  'node_modules',
  '.git',
  '.wrangler',
  'bench',
  'test',
  'test-browser',
  'coverage',
  'dist',
  'docs',
  '.dev.vars',
  '.dev.vars.test',
])
/** Caches under node_modules that tools write to: not linked into the copy. */
const CACHES = ['.cache', '.vite', '.vite-temp', '.vitest-cache']

/** The copy's directory for this bench process. */
export function snapshotDir() {
  return join(tmpdir(), `edge-session-bench-tree-${process.pid}`)
}

export function snapshotTree(root, dir = snapshotDir()) {
  const start = performance.now()
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const copied = []
  for (const entry of readdirSync(root)) {
    if (SKIPPED.has(entry) || entry.endsWith('.log')) continue
    cpSync(join(root, entry), join(dir, entry), { recursive: true })
    copied.push(entry)
  }
  let modules = 'hard links'
  try {
    execFileSync('cp', ['-al', join(root, 'node_modules'), join(dir, 'node_modules')], {
      stdio: 'ignore',
      timeout: 120_000,
    })
    for (const cache of CACHES) {
      rmSync(join(dir, 'node_modules', cache), { recursive: true, force: true })
    }
  } catch {
    // Another filesystem, or no GNU cp: a symlink works, but reloads on edits of the project's
    // package.json or tsconfig.json then remain possible (they are reported as restarts).
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true })
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir')
    modules = 'symlink'
  }
  return { dir, copied, modules, ms: performance.now() - start }
}
