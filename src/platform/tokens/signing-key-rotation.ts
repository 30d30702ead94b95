/**
 * Signing-key rotation. A new key is published at once and signs after `KEY_PUBLISH_DELAY_MS`
 * (see `pickSigner`); an old key is retired, and leaves the JWKS, once every token it can have
 * signed has expired: its successor settled (the publish delay), isolates with a stale cache moved
 * on (one more cache period), and one access-token lifetime passed.
 */
import { and, asc, eq, isNull } from 'drizzle-orm'
import {
  createSigningKeyRow,
  KEY_CACHE_TTL_MS,
  KEY_PUBLISH_DELAY_MS,
  pickSigner,
} from './signing-keys'
import { insertSigningKey, listUnretiredKeys } from './signing-key-queries'
import { signingKeys } from '../db/schema'
import type { Runtime } from '../runtime'

export async function rotateSigningKey(rt: Runtime, now: number): Promise<string> {
  const row = await createSigningKeyRow(rt.masterKeys, now)
  await insertSigningKey(rt.db, row)
  rt.keys.invalidate()
  return row.kid
}

/** An unretired key as the admin API shows it; times in ms. */
export interface SigningKeyState {
  kid: string
  createdAt: number
  /** When it signs (or signed) first: the publish delay after creation; at once for a first key. */
  signsFrom: number
  /** Whether it is the key that signs now. */
  signing: boolean
}

/** Every unretired key, newest first, with when it starts signing and which one signs now. */
export async function describeSigningKeys(rt: Runtime, now: number): Promise<SigningKeyState[]> {
  const rows = await listUnretiredKeys(rt.db)
  if (!rows.length) return []
  const signer = pickSigner(rows, now)
  return rows.map((row) => ({
    kid: row.kid,
    createdAt: row.createdAt,
    // A key signing before the delay is a first key, which signs at once (pickSigner).
    signsFrom:
      row.kid === signer.kid && now - row.createdAt < KEY_PUBLISH_DELAY_MS
        ? row.createdAt
        : row.createdAt + KEY_PUBLISH_DELAY_MS,
    signing: row.kid === signer.kid,
  }))
}

/** Retires keys whose tokens have all expired; returns how many. */
export async function retireExpiredKeys(rt: Runtime, now: number): Promise<number> {
  const rows = await rt.db
    .select()
    .from(signingKeys)
    .where(isNull(signingKeys.retiredAt))
    .orderBy(asc(signingKeys.createdAt))
  const lastSigned = (successorCreatedAt: number) =>
    successorCreatedAt + KEY_PUBLISH_DELAY_MS + KEY_CACHE_TTL_MS
  const retirable = rows.filter((_row, i) => {
    const successor = rows[i + 1]
    return successor && now >= lastSigned(successor.createdAt) + rt.settings.ACCESS_TTL * 1000
  })
  for (const row of retirable) {
    await rt.db
      .update(signingKeys)
      .set({ retiredAt: now })
      .where(and(eq(signingKeys.kid, row.kid), isNull(signingKeys.retiredAt)))
  }
  if (retirable.length) rt.keys.invalidate()
  return retirable.length
}

/** Rotates when the newest key is older than KEY_ROTATION_DAYS; returns the new kid, if any. */
export async function rotateIfDue(rt: Runtime, now: number): Promise<string | null> {
  const keys = await rt.keys.get()
  const newest = keys.publicKeys[0]
  if (newest && now - newest.createdAt < rt.settings.KEY_ROTATION_DAYS * 86_400_000) return null
  return rotateSigningKey(rt, now)
}
