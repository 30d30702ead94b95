import { describe, expect, it } from 'vitest'
import { api, bearer, createStoredSession, expectError, TOKEN_TRANSPORT } from '../helpers'

async function message(res: Response, status: number, code: string): Promise<string> {
  const body = await res.clone().json<{ error: { message: string } }>()
  await expectError(res, status, code)
  return body.error.message
}

describe('an admin route refusing a caller', () => {
  it('names ADMIN_TOKEN to a caller with no credentials, with the bearer challenge', async () => {
    const res = await api('/v1/admin/metrics', { headers: TOKEN_TRANSPORT })
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    expect(await message(res, 401, 'admin_credentials_required')).toContain(
      'Authorization: Bearer <ADMIN_TOKEN>',
    )
  })

  it('names ADMIN_TOKEN to a caller whose bearer is neither it nor an access token', async () => {
    const res = await api('/v1/admin/metrics', { headers: bearer('not-the-admin-token-000') })
    expect(await message(res, 401, 'admin_credentials_required')).toContain('ADMIN_TOKEN')
  })

  it('tells a signed-in non-admin both ways in', async () => {
    const user = await createStoredSession()
    const res = await api('/v1/admin/metrics', { headers: bearer(user.accessToken) })
    const text = await message(res, 403, 'forbidden')
    expect(text).toContain('ADMIN_TOKEN')
    expect(text).toContain('ADMIN_EMAILS')
  })
})
