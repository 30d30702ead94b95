#!/usr/bin/env node
// Local settings for `wrangler dev`: writes .dev.vars (git-ignored) with fresh dev secrets when
// there is none, as `npm start` does on its first start. `node scripts/dev-vars.mjs <origin>` also
// pins ISSUER and AUDIENCE to the origin a `wrangler dev` of your own serves on (the consumer
// example's two-config run, README "Examples"), unless .dev.vars names other values already.
import { randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseDevVars } from '../cli/settings.mjs'

export const DEV_VARS = '.dev.vars'

/** An ISSUER/AUDIENCE a local start wrote for some port: safe to point at another one. */
export const isPortBound = (value) =>
  value === undefined || /^http:\/\/127\.0\.0\.1:\d+$/.test(value)

/** Writes .dev.vars when missing; with `origin`, sets its port-bound ISSUER and AUDIENCE to it. */
export function ensureDevVars({ origin } = {}) {
  if (!existsSync(DEV_VARS)) {
    writeFileSync(
      DEV_VARS,
      [
        '# Generated for local development only (scripts/dev-vars.mjs); never deploy these.',
        `ENCRYPTION_KEY=${randomBytes(32).toString('base64')}`,
        `PASSWORD_PEPPER=${randomBytes(32).toString('base64')}`,
        `ADMIN_TOKEN=${randomBytes(24).toString('base64url')}`,
        'COOKIE_SECURE=false',
        // Sign-in links land in the local outbox (GET /v1/dev/outbox, loopback only). Production
        // names no mailer by default: link requests answer 503 until MAILER is set there.
        'MAILER=outbox',
        // `npm start` points ISSUER and AUDIENCE at the port of each start; set them here to pin them.
        // The demo page at / (src/site/demo-routes.ts); production's default is off.
        'DEMO=true',
        '',
      ].join('\n'),
      { mode: 0o600 },
    )
    console.log('Wrote .dev.vars with fresh local secrets.')
  } else {
    const written = readFileSync(DEV_VARS, 'utf8')
    // A .dev.vars from before the outbox had to be asked for: keep local sign-in links working.
    if (!/^MAILER=/m.test(written)) appendFileSync(DEV_VARS, 'MAILER=outbox\n')
    // One from before the pepper: passwords stored since then still verify (unpeppered hashes are
    // upgraded at their next sign-in), so a fresh pepper loses nothing.
    if (!/^PASSWORD_PEPPER=/m.test(written))
      appendFileSync(DEV_VARS, `PASSWORD_PEPPER=${randomBytes(32).toString('base64')}\n`)
  }
  if (origin) pinOrigin(origin)
}

function pinOrigin(origin) {
  const text = readFileSync(DEV_VARS, 'utf8')
  const vars = parseDevVars(text)
  let next = text
  for (const name of ['ISSUER', 'AUDIENCE']) {
    if (!isPortBound(vars[name])) continue
    const line = `${name}=${origin}`
    const existing = new RegExp(`^${name}=.*$`, 'm')
    next = existing.test(next)
      ? next.replace(existing, line)
      : `${next.replace(/\n?$/, '\n')}${line}\n`
  }
  if (next !== text) {
    writeFileSync(DEV_VARS, next)
    console.log(`.dev.vars: ISSUER and AUDIENCE are ${origin}.`)
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const origin = process.argv[2]
  if (origin !== undefined && !/^https?:\/\/[^/]+$/.test(origin)) {
    console.error('usage: node scripts/dev-vars.mjs [origin, e.g. http://127.0.0.1:8814]')
    process.exit(1)
  }
  ensureDevVars({ origin })
}
