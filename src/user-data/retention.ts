/** The user-data slice's retention rules: what the sweep clears from the per-user data. */
import { lte } from 'drizzle-orm'
import { oauthRecords } from '../platform/db/schema'
import type { RetentionRule } from '../platform/retention'

/**
 * PKCE verifiers live ten minutes; the expired ones are cleared, not deleted, because their row
 * may still hold tokens. One statement, whatever the budget: a verifier is cleared in place.
 */
const expiredVerifiers: RetentionRule<'verifiers'> = {
  counts: ['verifiers'],
  async apply({ rt, now, count }) {
    const result = await rt.db
      .update(oauthRecords)
      .set({ verifierSealed: null, verifierExpiresAt: null })
      .where(lte(oauthRecords.verifierExpiresAt, now))
    count('verifiers', result.meta.changes ?? 0)
    return true
  },
}

export const userDataRetention = { expiredVerifiers }
