/**
 * What `GET /v1/me` asks D1 for, counted at the binding: the Worker's app over a D1 binding that
 * counts each statement it prepares.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { createRuntime } from '../../src/platform/runtime'
import { BASE, bearer, createStoredSession } from '../helpers'

const RUNS = new Set(['all', 'first', 'raw', 'run'])

/** A statement whose runs (however often it is bound) call `ran()`. */
function countingStatement(statement: D1PreparedStatement, ran: () => void): D1PreparedStatement {
  return new Proxy(statement, {
    get(target, name) {
      const value = Reflect.get(target, name, target) as unknown
      if (typeof value !== 'function') return value
      if (name === 'bind')
        return (...values: unknown[]) => countingStatement(target.bind(...values), ran)
      if (RUNS.has(String(name)))
        return (...args: unknown[]) => {
          ran()
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      return value.bind(target)
    },
  })
}

/**
 * `env.DB`, counting the statements it runs (a prepared statement kept and run again counts each
 * time; a batch counts its statements); `count()` says how many since the last call.
 */
function countingDb(db: D1Database) {
  let statements = 0
  const queries: string[] = []
  const ran = () => statements++
  const counted = new Proxy(db, {
    get(target, name) {
      if (name === 'prepare')
        return (query: string) => {
          queries.push(query)
          return countingStatement(target.prepare(query), ran)
        }
      if (name === 'batch')
        return (list: D1PreparedStatement[]) => {
          statements += list.length
          return target.batch(list)
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
  return { db: counted, count, queries }
}

describe('GET /v1/me', () => {
  it("reads the caller's user and live session in one D1 statement", async () => {
    const s = await createStoredSession()
    const { db, count, queries } = countingDb(env.DB)
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
    // It reads what the answer shows, never the password hash.
    expect(queries.join('\n')).not.toContain('password_hash')
  })
})
