import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { fromBase64 } from '../../src/encoding'
import worker from '../../src/index'
import { deriveKeyId } from '../../src/services/keyring'
import { BASE, bearer, jsonHeaders, TOKEN_TRANSPORT } from '../helpers'

const K1 = btoa('1'.repeat(32))
const K3 = btoa('3'.repeat(32))
const idOf = (key: string) => deriveKeyId(fromBase64(key))
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'

/** The Worker as deployed with these keys: a new env object is a new isolate's runtime. */
function serviceWith(keys: { ENCRYPTION_KEY: string; ENCRYPTION_KEY_PREVIOUS?: string }) {
  const deployed = { ...env, ENCRYPTION_KEY_PREVIOUS: undefined, ...keys }
  return (path: string, init: RequestInit = {}) =>
    worker.fetch(
      new Request(`${BASE}${path}`, init) as Request<unknown, IncomingRequestCfProperties>,
      deployed,
      createExecutionContext(),
    )
}
type Service = ReturnType<typeof serviceWith>

interface Stored {
  accessToken: string
  refreshToken: string
}

/** An anonymous user with a secret and a full OAuth record, stored through the API. */
async function storeEverything(service: Service): Promise<Stored> {
  const created = await service('/v1/sessions/anonymous', {
    method: 'POST',
    headers: TOKEN_TRANSPORT,
  })
  expect(created.status).toBe(201)
  const { tokens } = await created.json<{ tokens: Stored }>()
  const put = (path: string, body: unknown) =>
    service(path, {
      method: 'PUT',
      headers: jsonHeaders(bearer(tokens.accessToken)),
      body: JSON.stringify(body),
    })
  const puts = [
    put('/v1/me/secrets/api-key', { value: 'sk-live-1' }),
    put('/v1/oauth/mcp.example/tokens', { access_token: 'at-1', token_type: 'Bearer' }),
    put('/v1/oauth/mcp.example/client', { client_id: 'client-1' }),
    put('/v1/oauth/mcp.example/verifier', { verifier: VERIFIER }),
  ]
  for (const res of await Promise.all(puts)) expect(res.status).toBe(204)
  return tokens
}

/** Every value reads back and the access token issued earlier still verifies. */

describe('master key rotation', () => {
  // Storage outlives a test within this file; each test starts with nothing sealed.
  beforeEach(async () => {
    await env.DB.batch(
      ['signing_keys', 'secrets', 'oauth_records'].map((table) =>
        env.DB.prepare(`delete from ${table}`),
      ),
    )
  })

  it('answers 503 misconfigured, not 500, when restarted with a key that opens nothing stored', async () => {
    const before = serviceWith({ ENCRYPTION_KEY: K1 })
    const stored = await storeEverything(before)
    const after = serviceWith({ ENCRYPTION_KEY: K3 })
    for (const res of [
      await after('/v1/auth/token-info', { headers: bearer(stored.accessToken) }),
      await after('/v1/sessions/anonymous', { method: 'POST', headers: TOKEN_TRANSPORT }),
    ]) {
      expect(res.status).toBe(503)
      const { error } = await res.json<{ error: { code: string; message: string } }>()
      expect(error.code).toBe('misconfigured')
      expect(error.message).toContain(`5 stored values are sealed under key id ${await idOf(K1)}`)
    }
  })
})
