import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../../src/app'
import { createDb } from '../../../src/platform/db/client'
import {
  anonymousWithDocument,
  BASE,
  bearer,
  createAccount,
  createTokenSession,
  countRows,
  jsonHeaders,
  runtime,
  type SignInBody,
  uniqueEmail,
} from '../../helpers'

/**
 * `d1` that remembers, for each call that reaches D1 (one statement, or one batch), the SQL it
 * carried: how many D1 writes a request costs, counted where the Worker makes them.
 */
function countingD1(d1: D1Database, calls: string[][]): D1Database {
  const sqlOf = new WeakMap<D1PreparedStatement, string>()
  const track = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    sqlOf.set(statement, sql)
    const bind = statement.bind.bind(statement)
    const run = (method: 'run' | 'all' | 'raw' | 'first') => {
      const original = (statement[method] as (...a: unknown[]) => unknown).bind(statement)
      return (...args: unknown[]) => {
        calls.push([sql])
        return original(...args)
      }
    }
    return Object.assign(statement, {
      bind: (...values: unknown[]) => track(bind(...values), sql),
      run: run('run'),
      all: run('all'),
      raw: run('raw'),
      first: run('first'),
    }) as D1PreparedStatement
  }
  return {
    prepare: (sql: string) => track(d1.prepare(sql), sql),
    batch: (statements: D1PreparedStatement[]) => {
      calls.push(statements.map((s) => sqlOf.get(s) ?? ''))
      return d1.batch(statements)
    },
    exec: (sql: string) => d1.exec(sql),
    dump: () => d1.dump(),
    withSession: () => d1.withSession(),
  } as D1Database
}

const writesAudit = (call: string[]) => call.some((sql) => /insert into "audit_events"/i.test(sql))

describe('audit events', () => {
  it('a sign-in from an anonymous session with data writes its events in at most two D1 writes', async () => {
    const email = uniqueEmail()
    const password = 'correct horse battery'
    const register = await createTokenSession()
    const rt = await runtime()
    const calls: string[][] = []
    const app = await createApp({ ...rt, db: createDb(countingD1(env.DB, calls)) })
    const send = (path: string, init: RequestInit) => app.request(`${BASE}${path}`, init, env)

    const registered = await createAccount(email, password, register, send)
    expect(registered.status).toBe(200)

    const anon = await anonymousWithDocument()

    calls.length = 0
    const res = await send('/v1/auth/login', {
      method: 'POST',
      headers: jsonHeaders(bearer(anon.accessToken)),
      body: JSON.stringify({ email, password, refreshToken: anon.refreshToken }),
    })
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.merge?.moved.documents).toBe(1)
    expect(calls.filter(writesAudit).length).toBeLessThanOrEqual(2)
    // And the events are all there: the merge and the login of this session, under the account.
    const events = await countRows(
      "select count(*) as n from audit_events where user_id = ? and session_id = ? and type in ('auth.merged', 'auth.login')",
      body.user.id,
      anon.sessionId,
    )
    expect(events).toBe(2)
  })
})
