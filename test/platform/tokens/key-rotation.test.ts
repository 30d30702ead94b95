import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { fromBase64 } from '../../../src/platform/encoding'
import worker from '../../../src/worker'
import { deriveKeyId } from '../../../src/platform/crypto/keyring'
import { BASE, bearer, countRows, jsonHeaders, TOKEN_TRANSPORT } from '../../helpers'

const K1 = btoa('1'.repeat(32))
const K2 = btoa('2'.repeat(32))
const K3 = btoa('3'.repeat(32))
const idOf = (key: string) => deriveKeyId(fromBase64(key))
const ADMIN = bearer(env.ADMIN_TOKEN!)
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
async function expectEverythingReads(service: Service, { accessToken }: Stored) {
  const get = async (path: string) => {
    const res = await service(path, { headers: bearer(accessToken) })
    expect(res.status, path).toBe(200)
    return res.json()
  }
  expect(await get('/v1/auth/token-info')).toMatchObject({ anon: true })
  expect(await get('/v1/me/secrets/api-key')).toEqual({ name: 'api-key', value: 'sk-live-1' })
  expect(await get('/v1/oauth/mcp.example/tokens')).toMatchObject({ access_token: 'at-1' })
  expect(await get('/v1/oauth/mcp.example/client')).toMatchObject({ client_id: 'client-1' })
  expect(await get('/v1/oauth/mcp.example/verifier')).toMatchObject({ verifier: VERIFIER })
}

async function expectNewSessionsWork(service: Service) {
  const res = await service('/v1/sessions/anonymous', { method: 'POST', headers: TOKEN_TRANSPORT })
  expect(res.status).toBe(201)
  const { tokens } = await res.json<{ tokens: Stored }>()
  const info = await service('/v1/auth/token-info', { headers: bearer(tokens.accessToken) })
  expect(info.status).toBe(200)
}

async function sealedValuesOf(service: Service) {
  const res = await service('/v1/admin/metrics', { headers: ADMIN })
  expect(res.status).toBe(200)
  return (
    await res.json<{
      sealedValues: {
        currentKeyId: string
        previousKeyIds: string[]
        byKeyId: Record<string, number>
        unlabelled: number
      }
    }>()
  ).sealedValues
}

async function sweep(service: Service) {
  const res = await service('/v1/admin/sweep', { method: 'POST', headers: ADMIN })
  expect(res.status).toBe(200)
  return res.json<{ counts: Record<string, number>; complete: boolean }>()
}

const SEALED_COUNT_SQL = `select count(*) as n from (
  select private_jwk_sealed as v from signing_keys union all select value_sealed from secrets
  union all select tokens_sealed from oauth_records union all select client_sealed from oauth_records
  union all select verifier_sealed from oauth_records) where v is not null`

describe('master key rotation', () => {
  // Storage outlives a test within this file; each test starts with nothing sealed or checked.
  beforeEach(async () => {
    await env.DB.batch([
      ...['signing_keys', 'secrets', 'oauth_records'].map((table) =>
        env.DB.prepare(`delete from ${table}`),
      ),
      env.DB.prepare("delete from control where key = 'encryption_keys_checked'"),
    ])
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

  it('rotates K1 to K2 with nothing lost, re-seals in one sweep, and retires K1', async () => {
    const [k1, k2] = await Promise.all([idOf(K1), idOf(K2)])
    const withK1 = serviceWith({ ENCRYPTION_KEY: K1 })
    const stored = await storeEverything(withK1)
    const total = await countRows(SEALED_COUNT_SQL)
    expect(total).toBe(5) // one signing key, a secret, OAuth tokens, client and verifier
    expect(
      await countRows('select count(*) as n from secrets where value_sealed like ?', `${k1}:%`),
    ).toBe(1)

    // Deploy: K2 seals from now on, K1 only opens.
    const rotating = serviceWith({ ENCRYPTION_KEY: K2, ENCRYPTION_KEY_PREVIOUS: K1 })
    await expectEverythingReads(rotating, stored)
    await expectNewSessionsWork(rotating)
    expect(await sealedValuesOf(rotating)).toMatchObject({
      currentKeyId: k2,
      previousKeyIds: [k1],
      byKeyId: { [k1]: total, [k2]: 0 },
      unlabelled: 0,
    })

    const run = await sweep(rotating)
    expect(run.complete).toBe(true)
    expect(run.counts.resealed).toBe(total)
    expect(run.counts.resealFailed ?? 0).toBe(0)
    expect(await sealedValuesOf(rotating)).toMatchObject({ byKeyId: { [k1]: 0, [k2]: total } })
    await expectEverythingReads(rotating, stored)
    // A second run finds nothing left to do.
    expect((await sweep(rotating)).counts.resealed).toBe(0)

    // K1 removed: everything still reads, new sessions work.
    const retired = serviceWith({ ENCRYPTION_KEY: K2 })
    await expectEverythingReads(retired, stored)
    await expectNewSessionsWork(retired)

    // A key the data was never sealed under: refused up front, naming K2's id and the count.
    const wrong = serviceWith({ ENCRYPTION_KEY: K3 })
    for (const res of [
      await wrong('/v1/auth/token-info', { headers: bearer(stored.accessToken) }),
      await wrong('/healthz'),
    ]) {
      expect(res.status).toBe(503)
      const { error } = await res.json<{ error: { code: string; message: string } }>()
      expect(error.code).toBe('misconfigured')
      expect(error.message).toContain(`${total} stored values are sealed under key id ${k2}`)
      expect(error.message).not.toContain(K2)
    }
  })

  it('keeps values from before key ids readable under the oldest key, then re-seals them', async () => {
    const [k1, k2] = await Promise.all([idOf(K1), idOf(K2)])
    const stored = await storeEverything(serviceWith({ ENCRYPTION_KEY: K1 }))
    // Back to the format the service wrote before key ids: `<iv>.<ciphertext>`.
    const strip = (table: string, column: string) =>
      env.DB.prepare(
        `update ${table} set ${column} = substr(${column}, instr(${column}, ':') + 1) where ${column} is not null`,
      )
    await env.DB.batch([
      strip('signing_keys', 'private_jwk_sealed'),
      strip('secrets', 'value_sealed'),
      ...['tokens_sealed', 'client_sealed', 'verifier_sealed'].map((c) =>
        strip('oauth_records', c),
      ),
    ])
    await expectEverythingReads(serviceWith({ ENCRYPTION_KEY: K1 }), stored)

    const rotating = serviceWith({ ENCRYPTION_KEY: K2, ENCRYPTION_KEY_PREVIOUS: K1 })
    await expectEverythingReads(rotating, stored)
    expect(await sealedValuesOf(rotating)).toMatchObject({ byKeyId: { [k1]: 0 }, unlabelled: 5 })

    // K1 dropped too early: the unlabelled values would be read with K2, which does not open them.
    const early = await serviceWith({ ENCRYPTION_KEY: K2 })('/healthz')
    expect(early.status).toBe(503)
    const { error } = await early.json<{ error: { code: string; message: string } }>()
    expect(error.message).toContain(`5 stored values from before key ids do not open`)
    expect(error.message).toContain(k2)

    expect((await sweep(rotating)).counts.resealed).toBe(5)
    expect(await sealedValuesOf(rotating)).toMatchObject({ byKeyId: { [k2]: 5 }, unlabelled: 0 })
    await expectEverythingReads(serviceWith({ ENCRYPTION_KEY: K2 }), stored)
  })

  it('answers a JSON 500 when D1 fails the key check, and checks again on the next request', async () => {
    let failing = true
    const DB = new Proxy(env.DB, {
      get(target, name) {
        if (failing && name === 'prepare') throw new Error('D1 is unavailable')
        const value = Reflect.get(target, name)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const deployed = { ...env, DB }
    const get = () =>
      worker.fetch(
        new Request(`${BASE}/healthz`) as Request<unknown, IncomingRequestCfProperties>,
        deployed,
        createExecutionContext(),
      )
    const res = await get()
    expect(res.status).toBe(500)
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('internal_error')
    failing = false
    expect((await get()).status).toBe(200)
  })
})
