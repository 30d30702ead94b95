/**
 * The admin CLI against the local service: `wrangler dev` started as the browser tests start it,
 * and `node cli/edge-session.mjs` run as a child process, as `npx edge-session` runs it. The
 * service reads the project's .dev.vars (npm start's script writes it when missing), and the CLI
 * reads ADMIN_TOKEN from the same file by default: that default is part of what is tested.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './cli-runner.mjs'
import {
  createTempDir,
  readProjectFile,
  registerAccount,
  removeDir,
  startService,
  writeTextFile,
  type Service,
} from './harness.mjs'

let service: Service
let url: string

/** A new account over token transport: registered, then confirmed from the dev outbox. */
const register = (email: string) => registerAccount(url, { email, password: 'a long password 1' })

const cli = (...args: string[]) => runCli(['--url', url, ...args])

beforeAll(async () => {
  service = await startService({ extraArgs: ['--var', 'RATE_LIMITS:false'] })
  url = service.baseUrl
})

afterAll(async () => {
  await service?.stop()
})

describe('npx edge-session', () => {
  it('reads the token from .dev.vars by default, or takes --token / the environment', async () => {
    expect((await cli('metrics')).code).toBe(0)
    const token = /^ADMIN_TOKEN=(.+)$/m.exec(await readProjectFile('.dev.vars'))![1]!
    const fromEnv = await runCli(['metrics'], {
      env: { EDGE_SESSION_URL: url, EDGE_SESSION_ADMIN_TOKEN: token },
    })
    expect(fromEnv.code).toBe(0)
    const wrong = await cli('--token', 'not-the-admin-token-000', 'metrics')
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('admin_credentials_required (401)')
  })

  it('talks to the port PORT names when given no URL, as npm start serves on it', async () => {
    const port = new URL(url).port
    const viaPort = await runCli(['metrics'], { env: { PORT: port } })
    expect(viaPort.code).toBe(0)
    expect(viaPort.json).toHaveProperty('liveSessions')
  })

  it('metrics --help promises only what metrics prints', async () => {
    const { code, json } = await cli('metrics')
    expect(code).toBe(0)
    const help = (await runCli(['metrics', '--help'])).stdout
    expect(help).toContain('auth failures')
    expect(Object.keys(json)).not.toContain('rateLimitHits')
    expect(help).not.toMatch(/^\s*users by kind.*rate-limit hits, last sweep/m)
    expect(help).toMatch(/rate-limit hits are in Analytics Engine/)
  })

  it('metrics: counts users and sessions', async () => {
    const { code, json } = await cli('metrics')
    expect(code).toBe(0)
    expect(json).toMatchObject({ users: expect.any(Object), liveSessions: expect.any(Number) })
  })

  it('keys rotate / keys list: a new key, and when it starts signing', async () => {
    await fetch(`${url}/v1/me`) // the first request creates the first key
    const rotated = await cli('keys', 'rotate')
    expect(rotated.code).toBe(0)
    expect(rotated.json).toMatchObject({ kid: expect.any(String), signsFrom: expect.any(String) })
    // A fresh service's first key is seconds old, so the new key signs at once or within 60 s.
    expect(Date.parse(rotated.json.signsFrom)).toBeLessThanOrEqual(Date.now() + 61_000)
    const listed = await cli('keys', 'list')
    expect(listed.code).toBe(0)
    const kids = listed.json.keys.map((k: { kid: string }) => k.kid)
    expect(kids).toContain(rotated.json.kid)
    expect(listed.json.keys.filter((k: { signing: boolean }) => k.signing)).toHaveLength(1)
  })

  it('users list / search / show', async () => {
    const email = `cli-${crypto.randomUUID()}@example.com`
    const { user } = await register(email)
    const listed = await cli('users', 'list', '--limit', '5')
    expect(listed.code).toBe(0)
    expect(listed.json.users.map((u: { id: string }) => u.id)).toContain(user.id)
    const found = await cli('users', 'search', email.slice(0, 16))
    expect(found.json.users.map((u: { id: string }) => u.id)).toEqual([user.id])
    const shown = await cli('users', 'show', user.id)
    expect(shown.json).toMatchObject({
      user: { id: user.id, email },
      sessions: [expect.anything()],
    })
    const unknown = await cli('users', 'show', 'usr_00000000000000000000000000')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('not_found (404)')
  })

  it('set-role and revoke-sessions', async () => {
    const { user } = await register(`cli-${crypto.randomUUID()}@example.com`)
    const promoted = await cli('set-role', user.id, 'admin')
    expect(promoted.json).toMatchObject({ user: { role: 'admin' }, sessionsRevoked: 1 })
    await register(`cli-${crypto.randomUUID()}@example.com`)
    const other = await register(`cli-${crypto.randomUUID()}@example.com`)
    const revoked = await cli('revoke-sessions', other.user.id)
    expect(revoked.json).toEqual({ revoked: 1 })
    const bad = await cli('set-role', user.id, 'owner')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('invalid_request (400)')
  })

  it('import: reads a JSON file and prints the imported user', async () => {
    const dir = await createTempDir('edge-session-cli-')
    try {
      const file = `${dir}/install.json`
      await writeTextFile(file, JSON.stringify({ importId: `cli-${Date.now()}`, oauth: [] }))
      const imported = await cli('import', file)
      expect(imported.code).toBe(0)
      expect(imported.json).toMatchObject({ user: { id: expect.stringMatching(/^usr_/) } })
    } finally {
      await removeDir(dir)
    }
  })

  it('erase: refuses without --yes, then erases', async () => {
    const { user } = await register(`cli-${crypto.randomUUID()}@example.com`)
    const refused = await cli('erase', user.id)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('--yes')
    const erased = await cli('erase', user.id, '--yes')
    expect(erased.json).toEqual({ erased: user.id })
    expect((await cli('users', 'show', user.id)).code).toBe(1)
  })

  it("passkeys and factors: list an account's, and remove only with --yes", async () => {
    const { user } = await register(`cli-${crypto.randomUUID()}@example.com`)
    expect((await cli('passkeys', 'list', user.id)).json).toEqual({ passkeys: [] })
    expect((await cli('factors', 'list', user.id)).json).toEqual({
      totp: null,
      recoveryCodesLeft: 0,
    })
    const refused = await cli('factors', 'remove', user.id)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('--yes')
    const none = await cli('factors', 'remove', user.id, '--yes')
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('not_found (404)')
    const missing = await cli('passkeys', 'remove', user.id, `pk_${'0'.repeat(26)}`, '--yes')
    expect(missing.stderr).toContain('not_found (404)')
  })

  it('sweep: runs until the backlog is done, one progress line per run', async () => {
    const { code, json, stderr } = await cli('sweep')
    expect(code).toBe(0)
    expect(json).toMatchObject({ complete: true, runs: expect.any(Number) })
    expect(stderr).toMatch(/^sweep run 1: \d+ rows in \d+ ms, (backlog done|more to do)$/m)
  })

  it('kill-switch: refuses without --yes, then ends every session', async () => {
    const { tokens } = await register(`cli-${crypto.randomUUID()}@example.com`)
    expect((await cli('kill-switch')).code).toBe(1)
    const pulled = await cli('kill-switch', '--yes')
    expect(pulled.json).toMatchObject({ revokedBefore: expect.any(String) })
    const refresh = await fetch(`${url}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Session-Transport': 'token' },
      body: JSON.stringify({ refreshToken: tokens.refreshToken }),
    })
    expect(refresh.status).toBe(401)
    // Sessions issued before the switch's instant never work, and registering needs a live one:
    // the tests after this one start once that instant has passed.
    const at = Date.parse((pulled.json as { revokedBefore: string }).revokedBefore)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now()) + 20))
  })
})

describe('the local service (scripts/start.mjs)', () => {
  it('issues tokens for the port it serves on, whatever port an earlier start wrote down', async () => {
    const { tokens } = await register(`iss-${crypto.randomUUID()}@example.com`)
    const access = tokens.accessToken
    const claims = JSON.parse(atob(access.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')))
    expect(claims).toMatchObject({ iss: url, aud: url })
  })
})
