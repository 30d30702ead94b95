/** The stored session record: what its view shows, and how older stored shapes read today. */
import { describe, expect, it } from 'vitest'
import {
  RECORD_VERSION,
  startRecord,
  upgradeRecord,
  view,
  type SessionRecord,
  type StoredRecord,
} from '../../src/session/record'
import { decideRefresh } from '../../src/session/rotation'

const T0 = 1_700_000_000_000

const record = (): SessionRecord =>
  startRecord({
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
    userAgent: 'agent',
    ip: '192.0.2.1',
    currentHash: 'current-hash',
    authenticatedAt: null,
    issued: { until: T0 + 3_600_000, firstHashes: ['first-hash'] },
  })

describe('session record', () => {
  it('shows only the fields its view lists: a new record field does not leak', () => {
    const withExtra = { ...record(), futureSecret: 'do-not-show' } as SessionRecord
    const shown = view(withExtra)
    expect(Object.keys(shown).sort()).toEqual(
      [
        'authenticatedAt',
        'createdAt',
        'email',
        'expiresAt',
        'ip',
        'isAnonymous',
        'lastSeenAt',
        'role',
        'sessionId',
        'userAgent',
        'userCreatedAt',
        'userId',
      ].sort(),
    )
    const text = JSON.stringify(shown)
    for (const hidden of ['do-not-show', 'current-hash', 'first-hash']) {
      expect(text).not.toContain(hidden)
    }
  })

  it('upgrades a record stored before it had a version, and refreshes it as any other', () => {
    const { version: _v, issuedHashes: _i, retiredAt: _r, lastSignIn: _l, ...rest } = record()
    const { issuedUntil: _u, firstHashes: _f, authenticatedAt: _a, ...old } = rest
    const stored: StoredRecord = { ...old, previousHash: 'previous-hash' }

    const upgraded = upgradeRecord(stored)
    expect(upgraded).toEqual({
      ...old,
      previousHash: 'previous-hash',
      version: RECORD_VERSION,
      authenticatedAt: null,
      issuedHashes: [],
      retiredAt: null,
      lastSignIn: null,
      issuedUntil: null,
      firstHashes: [],
    })
    expect(upgradeRecord(upgraded)).toEqual(upgraded)

    const policy = {
      now: T0 + 1000,
      idleTtlSeconds: 3600,
      reuseGraceSeconds: 10,
      indexIntervalMs: 0,
    }
    const next = { hash: 'next-hash', sealed: 'sealed' }
    const rotated = decideRefresh(upgraded, 'current-hash', next, policy)
    expect(rotated.kind).toBe('rotated')
    // A secret from before the upgrade still counts as this session's: reuse, not a guess.
    expect(decideRefresh(upgraded, 'previous-hash', next, { ...policy, now: T0 + 60_000 })).toEqual(
      {
        kind: 'reused',
      },
    )
  })
})
