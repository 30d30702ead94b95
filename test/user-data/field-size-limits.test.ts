import { describe, expect, it } from 'vitest'
import { api, bearer, createTokenSession, expectError, type TokenSession } from '../helpers'

const json = (s: TokenSession) => ({ ...bearer(s.accessToken), 'Content-Type': 'application/json' })

async function refusal(res: Response, status: number, code: string) {
  const body = await res.clone().json<{ error: { message: string } }>()
  await expectError(res, status, code)
  return body.error.message
}

describe('a field over its byte limit', () => {
  it('answers 413 payload_too_large naming it once for a 300 KB document', async () => {
    const s = await createTokenSession()
    const res = await api('/v1/documents', {
      method: 'POST',
      headers: json(s),
      body: JSON.stringify({ title: 'big', content: 'x'.repeat(300_000) }),
    })
    expect(await refusal(res, 413, 'payload_too_large')).toBe(
      'body.content: must be at most 262144 bytes',
    )
  })

  it('counts bytes, not characters', async () => {
    const s = await createTokenSession()
    // 100,000 characters of three bytes each: under the limit in characters, over it in bytes.
    const res = await api('/v1/documents', {
      method: 'POST',
      headers: json(s),
      body: JSON.stringify({ title: 'wide', content: '€'.repeat(100_000) }),
    })
    await refusal(res, 413, 'payload_too_large')
  })

  it('answers 413 for a secret value over 4 KiB', async () => {
    const s = await createTokenSession()
    const res = await api('/v1/me/secrets/KEY', {
      method: 'PUT',
      headers: json(s),
      body: JSON.stringify({ value: 'v'.repeat(5000) }),
    })
    expect(await refusal(res, 413, 'payload_too_large')).toBe(
      'body.value: must be at most 4096 bytes',
    )
  })

  it('stays a 400 naming every field when something else is wrong too', async () => {
    const s = await createTokenSession()
    const res = await api('/v1/documents', {
      method: 'POST',
      headers: json(s),
      body: JSON.stringify({ title: '', content: 'x'.repeat(300_000) }),
    })
    expect(await refusal(res, 400, 'invalid_request')).toBe(
      'body.title: must not be empty; body.content: must be at most 262144 bytes',
    )
  })
})
