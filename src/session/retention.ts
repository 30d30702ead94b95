/** The session slice's retention rules: what the sweep removes from the `sessions` index. */
import { isNotNull, lte, or } from 'drizzle-orm'
import { sessions } from '../platform/db/schema'
import { deleteRowsWhere } from '../platform/retention'
import { SESSION_INDEX_LAG_MS } from './queries'

/**
 * Expired and revoked session rows. An expired row's object has expired too (the row trails it by
 * SESSION_INDEX_LAG_MS at most), and a revoked row's object was revoked first: no live object
 * loses its row.
 */
const endedSessionRows = deleteRowsWhere('sessions', sessions, ({ now }) =>
  or(isNotNull(sessions.revokedAt), lte(sessions.expiresAt, now - SESSION_INDEX_LAG_MS)),
)

export const sessionRetention = { endedSessionRows }
