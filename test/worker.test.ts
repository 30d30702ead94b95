import { env } from 'cloudflare:workers'
import { createExecutionContext } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import worker from '../src/worker'
import { BASE, expectError } from './helpers'

describe('the start-up check', () => {
  it('answers 503 naming the migrate command when the database has no tables', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    // A Worker whose D1 was never migrated: `wrangler dev` pointed at another --persist-to.
    const unmigrated = { ...env, DB: env.EMPTY_DB }
    const res = await worker.fetch(
      new Request(`${BASE}/v1/me`),
      unmigrated,
      createExecutionContext(),
    )
    const body = await res.clone().json<{ error: { message: string } }>()
    await expectError(res, 503, 'database_not_migrated')
    expect(body.error.message).toContain('npx wrangler d1 migrations apply DB --local')
    expect(errors.mock.calls.flat().join(' ')).toMatch(/not migrated.*no such table/)
    errors.mockRestore()
  })
})
