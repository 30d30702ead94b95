/**
 * The rotation rules as properties over random histories of refreshes: which secret each tab
 * presents, and when. Pure functions, so each run is a plain loop with no object and no I/O.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { startRecord, type SessionRecord } from '../../src/session/record'
import {
  decideRefresh,
  proves,
  type RefreshDecision,
  type RotationPolicy,
  type Successor,
} from '../../src/session/rotation'

const T0 = 1_700_000_000_000
const GRACE_SECONDS = 10
const GRACE_MS = GRACE_SECONDS * 1000

const policyAt = (now: number): RotationPolicy => ({
  now,
  idleTtlSeconds: 3600,
  reuseGraceSeconds: GRACE_SECONDS,
  indexIntervalMs: 60_000,
})

const successor = (hash: string): Successor => ({ hash, sealed: `sealed:${hash}` })

function newSession(): SessionRecord {
  return startRecord({
    sessionId: 'sess_test',
    userId: 'anon_test',
    isAnonymous: true,
    role: 'user',
    email: null,
    userCreatedAt: T0,
    createdAt: T0,
    now: T0,
    idleTtlSeconds: 3600,
    absoluteTtlSeconds: 86_400,
    userAgent: null,
    ip: null,
    currentHash: 'h0',
    authenticatedAt: null,
  })
}

/** One refresh: after `waitMs`, a tab presents the secret issued `age` rotations ago. */
const refreshStep = fc.record({
  waitMs: fc.integer({ min: 0, max: 25_000 }),
  age: fc.oneof(fc.constant(0), fc.constant(1), fc.nat({ max: 40 })),
})

interface Presentation {
  presented: string
  now: number
  decision: RefreshDecision
}

/** Plays the steps against the rules, applying each decision as the object does. */
function play(steps: { waitMs: number; age: number }[]) {
  let record: SessionRecord | null = newSession()
  let now = T0
  const issued = ['h0']
  const log: Presentation[] = []
  for (const { waitMs, age } of steps) {
    now += waitMs
    const presented = issued[issued.length - 1 - (age % issued.length)]!
    const before = structuredClone(record)
    const decision = decideRefresh(record, presented, successor(`h${issued.length}`), policyAt(now))
    expect(record).toEqual(before)
    log.push({ presented, now, decision })
    if (decision.kind === 'rotated') {
      issued.push(decision.record.currentHash)
      record = decision.record
    }
    if (decision.kind === 'reused' || decision.kind === 'expired') {
      record = null
      break
    }
  }
  return { record, now, issued, log }
}

describe('rotation rules', () => {
  it('never accepts a rotated secret again outside the grace window', () => {
    fc.assert(
      fc.property(fc.array(refreshStep, { maxLength: 60 }), (steps) => {
        const { log } = play(steps)
        const rotatedAt = new Map<string, number>()
        for (const { presented, now, decision } of log) {
          const accepted = decision.kind === 'rotated' || decision.kind === 'grace'
          const rotated = rotatedAt.get(presented)
          if (accepted && rotated !== undefined) {
            expect(decision.kind).toBe('grace')
            expect(now - rotated).toBeLessThanOrEqual(GRACE_MS)
          }
          if (decision.kind === 'rotated') rotatedAt.set(presented, now)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('treats an issued secret presented after its grace window as reuse', () => {
    fc.assert(
      fc.property(
        fc.array(refreshStep, { maxLength: 30 }),
        fc.integer({ min: GRACE_MS + 1, max: 10 * GRACE_MS }),
        (steps, late) => {
          const { record, now, issued } = play(steps)
          fc.pre(record !== null && issued.length >= 2)
          const old = issued[issued.length - 2]!
          const decision = decideRefresh(record!, old, successor('late'), policyAt(now + late))
          expect(decision.kind).toBe('reused')
        },
      ),
    )
  })

  it('changes nothing for a secret the session never issued', () => {
    fc.assert(
      fc.property(
        fc.array(refreshStep, { maxLength: 40 }),
        fc.string({ minLength: 1 }),
        fc.integer({ min: 0, max: 10 * GRACE_MS }),
        (steps, guess, wait) => {
          const { record, now, issued } = play(steps)
          fc.pre(record !== null && !issued.includes(guess))
          const before = structuredClone(record)
          const policy = policyAt(now + wait)
          const decision = decideRefresh(record!, guess, successor('never'), policy)
          expect(decision).toEqual({ kind: 'unknown' })
          expect(record).toEqual(before)
          expect(proves(record!, guess, { ...policy, revokedBefore: 0 })).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('hands out exactly one successor per rotation: the grace window repeats it', () => {
    fc.assert(
      fc.property(
        fc.array(refreshStep, { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: GRACE_MS / 5 }), { minLength: 1, maxLength: 5 }),
        (steps, waits) => {
          const played = play(steps)
          fc.pre(played.record !== null)
          let now = played.now
          const presented = played.record!.currentHash
          const first = decideRefresh(played.record!, presented, successor('one'), policyAt(now))
          expect(first.kind).toBe('rotated')
          const rotated = (first as Extract<RefreshDecision, { kind: 'rotated' }>).record
          for (const [i, wait] of waits.entries()) {
            now += wait
            const again = decideRefresh(rotated, presented, successor(`other${i}`), policyAt(now))
            expect(again).toEqual({ kind: 'grace', sealed: successor('one').sealed })
          }
          expect(rotated.currentHash).toBe('one')
        },
      ),
      { numRuns: 300 },
    )
  })

  it('ends an expired session whatever is presented', () => {
    const record = newSession()
    const decision = decideRefresh(record, 'h0', successor('h1'), policyAt(T0 + 3_600_000))
    expect(decision).toEqual({ kind: 'expired' })
  })
})
