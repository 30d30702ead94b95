import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import { bearer, createTokenSession, runtime } from '../helpers'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('request log', () => {
  it('writes one JSON line per request with the route pattern, never ids or tokens', async () => {
    const s = await createTokenSession()
    const rt = await runtime()
    const app = await createApp({ ...rt, settings: { ...rt.settings, LOG_LEVEL: 'info' } })
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    const res = await app.request(
      `https://auth.test/v1/sessions/${s.sessionId}?token=${s.refreshToken}`,
      {
        method: 'DELETE',
        headers: bearer(s.accessToken),
      },
    )
    expect(res.status).toBe(204)
    expect(lines).toHaveLength(1)
    const line = JSON.parse(lines[0]!)
    expect(line).toMatchObject({
      level: 'info',
      method: 'DELETE',
      route: '/v1/sessions/:id',
      status: 204,
    })
    expect(line.user).toBe(s.userId.slice(0, 9))
    expect(res.headers.get('x-request-id')).toBe(line.requestId)
    for (const secret of [s.sessionId, s.userId, s.accessToken, s.refreshToken])
      expect(lines[0]).not.toContain(secret)
  })

  it('logs only what reaches the configured level', async () => {
    const rt = await runtime()
    const app = await createApp({ ...rt, settings: { ...rt.settings, LOG_LEVEL: 'warn' } })
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    await app.request('https://auth.test/healthz')
    await app.request('https://auth.test/v1/nope')
    expect(lines.map((l) => JSON.parse(l).status)).toEqual([404])
  })
})
