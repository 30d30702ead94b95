import { describe, expect, it } from 'vitest'
import { api, APP_ORIGIN, expectError } from '../helpers'

describe('a request no route serves', () => {
  it.each([
    ['DELETE', '/v1/me', {}],
    ['PUT', '/v1/sessions', { Origin: 'https://evil.example' }],
    ['POST', '/v1/nope', { Origin: APP_ORIGIN }],
  ])('%s %s answers 404 before the origin check', async (method, path, headers) => {
    const res = await api(path, { method, headers })
    const body = await res.clone().json<{ error: { message: string } }>()
    await expectError(res, 404, 'not_found')
    expect(body.error.message).toBe(`No route for ${method} ${path}.`)
  })

  it('leaves a route that exists to the origin check', async () => {
    await expectError(await api('/v1/auth/logout', { method: 'POST' }), 403, 'csrf_rejected')
  })
})
