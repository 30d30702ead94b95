/// <reference types="vite/client" />
/**
 * The README's promises that can drift: every `npm run` script it names exists, every `npx
 * edge-session` command is one the CLI has, and every setting in its table exists with the
 * default it states.
 */
import { describe, expect, it } from 'vitest'
import pkg from '../package.json'
import { parseSettings, SETTING_NAMES } from '../src/platform/config'

const files = import.meta.glob(['../README.md', '../cli/edge-session.mjs'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>
const readme = files['../README.md']!
const cli = files['../cli/edge-session.mjs']!

const REQUIRED = {
  ISSUER: 'https://auth.example.com',
  AUDIENCE: 'https://app.example.com',
  ENCRYPTION_KEY: btoa(String.fromCharCode(...new Uint8Array(32))),
  PASSWORD_PEPPER: btoa(String.fromCharCode(...new Uint8Array(32))),
  ADMIN_TOKEN: 'a-token-of-sixteen-chars',
}

describe('the README', () => {
  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]!)
    expect(named.length).toBeGreaterThan(5)
    const scripts = Object.keys(pkg.scripts)
    expect(named.filter((name) => !scripts.includes(name))).toEqual([])
  })

  it('names only CLI commands that exist', () => {
    const named = [...readme.matchAll(/npx edge-session ([a-z-]+)/g)].map((m) => m[1]!)
    expect(named.length).toBeGreaterThan(5)
    const commands = [...cli.matchAll(/\.command\('([a-z-]+)/g)].map((m) => m[1]!)
    expect(named.filter((name) => !commands.includes(name))).toEqual([])
  })

  it('lists every setting', () => {
    const table = readme.slice(readme.indexOf('## Settings'), readme.indexOf('## Deploying'))
    const listed = [...table.matchAll(/^\| ((?:`[A-Z_]+`(?:, )?)+) +\|/gm)].flatMap(([, names]) =>
      names!.match(/[A-Z_]+/g)!,
    )
    expect(SETTING_NAMES.filter((name) => !listed.includes(name))).toEqual([])
  })

  it('lists settings that exist, with the defaults they have', () => {
    const table = readme.slice(readme.indexOf('## Settings'), readme.indexOf('## Deploying'))
    const rows = [...table.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) +\| (\S+) +\|/gm)]
    expect(rows.length).toBeGreaterThan(10)
    const settings = parseSettings(REQUIRED) as unknown as Record<string, unknown>
    for (const [, names, stated] of rows) {
      for (const name of names!.match(/[A-Z_]+/g)!) {
        expect(Object.keys(settings), name).toContain(name)
        const value = settings[name]
        // `(none)`: unset unless configured; any other parenthesis describes a derived default.
        if (stated === '(none)') expect(value, `${name} has no default`).toBeUndefined()
        if (stated!.startsWith('(')) continue
        const shown = Array.isArray(value) ? `"${value.join(',')}"` : String(value)
        expect(`\`${shown}\``, `${name}'s default`).toBe(stated)
      }
    }
  })
})
