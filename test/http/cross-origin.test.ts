import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import { createRuntime } from '../../src/platform/runtime'
import { APP_ORIGIN, CookieJar, expectError } from '../helpers'

const SERVICE = 'https://auth.example.com'
const REFUSED = 'http://localhost:5173'

/** The app with warnings logged (the test settings log errors only), and the lines it logs. */
async function loggingApp() {
  const lines: Record<string, unknown>[] = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(JSON.parse(line)))
  const app = await createApp(await createRuntime({ ...env, LOG_LEVEL: 'warn' }))
  return { app, lines }
}

const naming = (lines: Record<string, unknown>[], origin: string) =>
  lines.filter((line) => JSON.stringify(line).includes(origin))

afterEach(() => vi.restoreAllMocks())

describe('a refused cross-origin request', () => {
  it('logs one line naming the origin CORS refused and ALLOWED_ORIGINS', async () => {
    const { app, lines } = await loggingApp()
    const res = await app.request(`${SERVICE}/v1/me`, { headers: { Origin: REFUSED } })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(naming(lines, REFUSED)).toEqual([
      expect.objectContaining({ level: 'warn', origin: REFUSED, setting: 'ALLOWED_ORIGINS' }),
    ])
  })

  it('logs the refused preflight the same way', async () => {
    const { app, lines } = await loggingApp()
    await app.request(`${SERVICE}/v1/documents`, {
      method: 'OPTIONS',
      headers: { Origin: REFUSED, 'Access-Control-Request-Method': 'POST' },
    })
    expect(naming(lines, REFUSED)).toHaveLength(1)
  })

  it('logs one line naming the origin the origin check refused and ALLOWED_ORIGINS', async () => {
    const { app, lines } = await loggingApp()
    const jar = new CookieJar()
    jar.store(await app.request(`${SERVICE}/v1/me`))
    const res = await app.request(`${SERVICE}/v1/auth/logout`, {
      method: 'POST',
      headers: { Origin: REFUSED, Cookie: jar.header() },
    })
    await expectError(res, 403, 'csrf_rejected')
    const logged = naming(lines, REFUSED)
    expect(logged).toHaveLength(1)
    expect(logged[0]!.detail).toMatch(/ALLOWED_ORIGINS/)
  })

  it('logs nothing for an allowed origin or the service’s own', async () => {
    const { app, lines } = await loggingApp()
    await app.request(`${SERVICE}/v1/me`, { headers: { Origin: APP_ORIGIN } })
    await app.request(`${SERVICE}/v1/me`, { headers: { Origin: SERVICE } })
    expect(lines.filter((line) => line.origin !== undefined)).toEqual([])
  })
})
