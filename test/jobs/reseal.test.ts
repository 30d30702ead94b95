import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { resealValues } from '../../src/jobs/reseal'
import { createRuntime } from '../../src/platform/runtime'
import { putSecret, readSecret } from '../../src/user-data/secrets/service'
import { countRows } from '../helpers'

const K1 = btoa('1'.repeat(32))
const K2 = btoa('2'.repeat(32))
const USER = 'anon_reseal000000000000000001'

describe('re-sealing after a master key rotation', () => {
  beforeEach(async () => {
    await env.DB.prepare('delete from secrets').run()
  })

  it('works in bounded batches and picks up where a run that ran out of budget stopped', async () => {
    const before = await createRuntime({ ...env, ENCRYPTION_KEY: K1 })
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      await putSecret(before, USER, name, `value ${name}`)
    const rt = await createRuntime({ ...env, ENCRYPTION_KEY: K2, ENCRYPTION_KEY_PREVIOUS: K1 })
    const underCurrent = () =>
      countRows(
        'select count(*) as n from secrets where instr(value_sealed, ?) = 1',
        `${rt.keyring.current.id}:`,
      )

    const counts: Record<string, number> = {}
    const add = (name: string, n: number) => (counts[name] = (counts[name] ?? 0) + n)
    // The budget runs out after the first batch of two.
    const overBudget = () => (counts.resealed ?? 0) >= 2
    const first = await resealValues(rt, { batchSize: 2, overBudget, add })
    expect(first).toBe(false)
    expect(await underCurrent()).toBe(2)

    const second = await resealValues(rt, { batchSize: 2, overBudget: () => false, add })
    expect(second).toBe(true)
    expect(await underCurrent()).toBe(5)
    expect(counts).toEqual({ resealed: 5 })
    expect(await readSecret(rt, USER, 'e')).toBe('value e')
  })

  it('leaves a value it cannot open as it is, counts it, and moves past it', async () => {
    const lost = await createRuntime({ ...env, ENCRYPTION_KEY: btoa('x'.repeat(32)) })
    await putSecret(lost, USER, 'lost', 'gone')
    const before = await createRuntime({ ...env, ENCRYPTION_KEY: K1 })
    await putSecret(before, USER, 'kept', 'kept value')
    const rt = await createRuntime({ ...env, ENCRYPTION_KEY: K2, ENCRYPTION_KEY_PREVIOUS: K1 })
    const counts: Record<string, number> = {}
    const add = (name: string, n: number) => (counts[name] = (counts[name] ?? 0) + n)
    expect(await resealValues(rt, { batchSize: 1, overBudget: () => false, add })).toBe(true)
    expect(counts).toEqual({ resealed: 1, resealFailed: 1 })
    expect(await readSecret(rt, USER, 'kept')).toBe('kept value')
  })
})
