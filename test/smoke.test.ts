import { exports } from 'cloudflare:workers'
import { expect, it } from 'vitest'

it('answers healthz', async () => {
  const res = await exports.default.fetch('https://auth.test/healthz')
  expect(res.status).toBe(200)
  expect(await res.json()).toMatchObject({ ok: true })
})

it('creates an anonymous session with token transport', async () => {
  const res = await exports.default.fetch('https://auth.test/v1/sessions/anonymous', {
    method: 'POST',
    headers: { 'X-Session-Transport': 'token' },
  })
  const body = await res.json()
  console.log(res.status, JSON.stringify(body))
  expect(res.status).toBe(201)
})
