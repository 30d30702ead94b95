#!/usr/bin/env node
// `npm start`: runs the service locally on its embedded defaults, unattended. On first start it
// writes .dev.vars with generated dev secrets, applies the D1 migrations to the local database,
// then serves on http://127.0.0.1:8787 (PORT overrides the port; PERSIST_TO keeps local D1 and
// Durable Object state somewhere other than .wrangler/, as the bench does for a clean slate).
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parseDevVars } from '../cli/settings.mjs'
import { ensureDevVars, isPortBound } from './dev-vars.mjs'

const port = process.env.PORT ?? '8787'
// CLOUDFLARE_CF_FETCH_ENABLED=false: miniflare otherwise fetches workers.cloudflare.com/cf.json for
// request.cf at every start, which prints a stack trace offline; the built-in placeholder serves.
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CI: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
}
const persist = process.env.PERSIST_TO ? ['--persist-to', process.env.PERSIST_TO] : []

ensureDevVars()

// Tokens name the address this start serves on. An ISSUER/AUDIENCE in .dev.vars that an earlier
// start wrote for another port (http://127.0.0.1:<port>) is overridden; any other value is kept.
const origin = `http://127.0.0.1:${port}`
const devVars = parseDevVars(readFileSync('.dev.vars', 'utf8'))
const originVars = ['ISSUER', 'AUDIENCE']
  .filter((name) => isPortBound(devVars[name]))
  .flatMap((name) => ['--var', `${name}:${origin}`])

const migrate = spawnSync(
  'npx',
  ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', ...persist],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
  },
)
if (migrate.status !== 0) process.exit(migrate.status ?? 1)

const server = spawn(
  'npx',
  [
    'wrangler',
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    port,
    '--show-interactive-dev-session=false',
    ...persist,
    ...originVars,
    ...process.argv.slice(2),
  ],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
  },
)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code) => process.exit(code ?? 0))
