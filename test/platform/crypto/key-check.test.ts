import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { createRuntime } from '../../../src/platform/runtime'
import { checkKeyring } from '../../../src/platform/crypto/key-check'
import { putSecret } from '../../../src/user-data/secrets/service'
import { countRows } from '../../helpers'

const K1 = btoa('1'.repeat(32))
const K2 = btoa('2'.repeat(32))
const USER = 'anon_keycheck0000000000000001'

async function check(keys: { ENCRYPTION_KEY: string; ENCRYPTION_KEY_PREVIOUS?: string }) {
  const rt = await createRuntime({ ...env, ENCRYPTION_KEY_PREVIOUS: undefined, ...keys })
  return checkKeyring(rt.db, rt.keyring, rt.userKeys)
}

describe('the start-up key check', () => {
  beforeEach(async () => {
    await env.DB.batch([
      env.DB.prepare('delete from secrets'),
      env.DB.prepare('delete from signing_keys'),
      env.DB.prepare("delete from control where key = 'encryption_keys_checked'"),
    ])
  })

  it('counts the sealed values once per key configuration, then trusts what passed', async () => {
    await putSecret(await createRuntime({ ...env, ENCRYPTION_KEY: K1 }), USER, 'a', 'value')
    expect(await check({ ENCRYPTION_KEY: K1 })).toEqual({ ok: true })
    expect(
      await countRows("select count(*) as n from control where key = 'encryption_keys_checked'"),
    ).toBe(1)

    // A value under a key this configuration lacks, slipped in behind the check's back: an
    // isolate with the keys that passed does not count again, so it does not see it...
    await putSecret(await createRuntime({ ...env, ENCRYPTION_KEY: K2 }), USER, 'b', 'value')
    expect(await check({ ENCRYPTION_KEY: K1 })).toEqual({ ok: true })
    // ...while any other configuration is counted in full.
    expect(await check({ ENCRYPTION_KEY: K1, ENCRYPTION_KEY_PREVIOUS: K2 })).toEqual({ ok: true })
    const other = await check({ ENCRYPTION_KEY: K2 })
    expect(other.ok).toBe(false)
    expect(other.ok || other.problem).toContain('1 stored values are sealed under key id')
  })

  it('records nothing when the check fails, so the next isolate counts again', async () => {
    await putSecret(await createRuntime({ ...env, ENCRYPTION_KEY: K1 }), USER, 'a', 'value')
    expect((await check({ ENCRYPTION_KEY: K2 })).ok).toBe(false)
    expect(
      await countRows("select count(*) as n from control where key = 'encryption_keys_checked'"),
    ).toBe(0)
    expect((await check({ ENCRYPTION_KEY: K2, ENCRYPTION_KEY_PREVIOUS: K1 })).ok).toBe(true)
  })
})
