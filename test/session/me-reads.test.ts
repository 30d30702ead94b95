/**
 * What `GET /v1/me` asks D1 for, counted at the binding: the Worker's app over a D1 binding that
 * counts each statement it prepares.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { createRuntime } from '../../src/platform/runtime'
import { BASE, bearer, createStoredSession } from '../helpers'

/** `env.DB`, counting statements; `count()` says how many since the last call. */
function countingDb(db: D1Database) {
  let statements = 0
  const counted = new Proxy(db, {
    get(target, name) {
      if (name === 'prepare')
        return (query: string) => {
          statements++
          return target.prepare(query)
        }
      const value = Reflect.get(target, name, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  const count = () => {
    const seen = statements
    statements = 0
    return seen
  }
  return { db: counted, count }
}

describe('GET /v1/me', () => {
  it("reads the caller's user and live session in one D1 statement", async () => {
    const s = await createStoredSession()
    const { db, count } = countingDb(env.DB)
    const counted = { ...env, DB: db }
    const app = await createApp(await createRuntime(counted))
    const me = () => app.request(`${BASE}/v1/me`, { headers: bearer(s.accessToken) }, counted)
    // The first request also loads what the isolate caches: the signing keys, the kill switch.
    expect((await me()).status).toBe(200)
    count()
    const res = await me()
    expect(res.status).toBe(200)
    expect(count()).toBe(1)
    const body = await res.json<{
      user: { id: string }
      session: { id: string; current: boolean }
    }>()
    expect(body.user.id).toBe(s.userId)
    expect(body.session).toMatchObject({ id: s.sessionId, current: true })
  })
})
