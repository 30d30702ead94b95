// Node-side chores of the packing test (test-browser/packages.test.ts): a fresh project outside
// this repository with the packed tarballs installed, type checks in it, and scripts run in it.
// Plain JavaScript for the same reason as harness.mjs: the project's type check has no Node types.
import { execFile } from 'node:child_process'
import { cp, readFile, symlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { packPackages } from '../scripts/pack-packages.mjs'
import { createTempDir, removeDir } from './harness.mjs'

const run = promisify(execFile)
const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = join(HERE, '..')
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')

/** The strictest settings a consumer may use; library files are checked too (no skipLibCheck). */
const STRICT = {
  target: 'ES2022',
  module: 'ES2022',
  moduleResolution: 'Bundler',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  noEmit: true,
}

/** The version the repository itself pins, so that the install can come from npm's cache. */
async function pinnedVersions(names) {
  const root = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'))
  return Object.fromEntries(
    names.map((name) => [name, root.dependencies[name] ?? root.devDependencies[name]]),
  )
}

/**
 * Packs the workspaces, installs the client and library tarballs with the repository's own Hono
 * and workers-types (and MCP SDK) versions into a new temp directory (from npm's cache when it
 * can), and copies the consumer files from test-browser/package-consumer/ beside them. The
 * tarballs stay in the project's packs/ for a second project (createReactProject).
 */
export async function createConsumerProject() {
  const dir = await createTempDir('edge-session-consumer-')
  const [client, lib, react] = await packPackages(join(dir, 'packs'))
  const project = await installProject(dir, {
    '@edge-session/client': `file:${client}`,
    '@edge-session/lib': `file:${lib}`,
    ...(await pinnedVersions(['hono', '@cloudflare/workers-types', '@modelcontextprotocol/sdk'])),
  })
  return { ...project, tarballs: { client, lib, react } }
}

/**
 * A React app's project: the packed SDK and React bindings with only react, react-dom and
 * @types/react beside them (the repository's versions), in a new temp directory.
 */
export async function createReactProject(tarballs) {
  const dir = await createTempDir('edge-session-react-consumer-')
  return installProject(dir, {
    '@edge-session/client': `file:${tarballs.client}`,
    '@edge-session/react': `file:${tarballs.react}`,
    ...(await pinnedVersions(['react', 'react-dom', '@types/react'])),
  })
}

async function installProject(dir, dependencies) {
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }),
  )
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir })
  await cp(join(HERE, 'package-consumer'), dir, { recursive: true })
  return {
    dir,
    /** Type-checks `files` with STRICT plus `compilerOptions`; '' when clean, else tsc's report. */
    async typecheck(name, compilerOptions, files) {
      const config = join(dir, `tsconfig.${name}.json`)
      const options = { ...STRICT, ...compilerOptions }
      await writeFile(config, JSON.stringify({ compilerOptions: options, files }))
      return run(process.execPath, [TSC, '-p', config], { cwd: dir }).then(
        () => '',
        (error) => error.stdout || String(error),
      )
    },
    writeFile: (name, text) => writeFile(join(dir, name), text),
    readJson: async (path) => JSON.parse(await readFile(join(dir, path), 'utf8')),
    readText: (path) => readFile(join(dir, path), 'utf8'),
    /** Runs a script of the project on this Node; resolves with its stdout. */
    async runNode(script, env = {}) {
      const { stdout } = await run(process.execPath, [script], {
        cwd: dir,
        env: { ...process.env, ...env },
      })
      return stdout
    },
    /**
     * A copy of this repository as a fresh clone has it (its tracked and new files: no
     * .dev.vars, no .wrangler/, no build output), in the project's `repo/`, node_modules linked.
     * Its examples/consumer takes the library from the installed tarball, as an app of your own
     * does: the `[alias]` to src/sdk/worker is dropped, the project's node_modules linked beside
     * it, and `vars` replace the example's. Returns the copy's path.
     */
    async writeRepositoryCopy(vars) {
      const repo = join(dir, 'repo')
      const { stdout } = await run(
        'git',
        ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      )
      for (const file of stdout.split('\0').filter(Boolean)) {
        // A file deleted in the working tree but not yet in the index is not in a clone either.
        await cp(join(ROOT, file), join(repo, file)).catch((error) => {
          if (error.code !== 'ENOENT') throw error
        })
      }
      await symlink(join(ROOT, 'node_modules'), join(repo, 'node_modules'), 'dir')
      const example = join(repo, 'examples', 'consumer')
      await symlink(join(dir, 'node_modules'), join(example, 'node_modules'), 'dir')
      const config = join(example, 'wrangler.toml')
      await writeFile(config, exampleConfig(await readFile(config, 'utf8'), vars))
      return repo
    },
    remove: () => removeDir(dir),
  }
}

/** The example's wrangler.toml with the changes above; throws if one no longer applies. */
function exampleConfig(toml, vars) {
  const edits = [
    [/\n\[alias\]\n[^\n]*\n/, '\n'],
    ...Object.entries(vars).map(([name, value]) => [
      new RegExp(`^${name} = .*$`, 'm'),
      `${name} = ${JSON.stringify(value)}`,
    ]),
  ]
  for (const [pattern, replacement] of edits) {
    if (!pattern.test(toml)) throw new Error(`examples/consumer/wrangler.toml: no ${pattern}`)
    toml = toml.replace(pattern, replacement)
  }
  return toml
}
