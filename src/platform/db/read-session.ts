/**
 * Reads near the user: D1's Sessions API (read replication) for requests whose reads decide
 * nothing about security. A session starts from the client's bookmark, so a replica serves it only
 * once it holds everything that client has already seen (read-your-writes across requests); with
 * no bookmark its first query goes to the primary. docs/limits.md lists which reads go where.
 */
import { createDb, type Db } from './client'

export interface ReadSession {
  db: Db
  /** The newest bookmark this session has seen, to hand back to the client; null before a query. */
  bookmark(): string | null
}

// D1 bookmarks are dash-separated hex groups; anything else is not ours and is ignored (the read
// then starts on the primary), so a forged value can at worst cost a primary read.
const BOOKMARK_PATTERN = /^[0-9a-f]{1,32}(?:-[0-9a-f]{1,64}){1,7}$/

export function isBookmark(value: string | undefined | null): value is string {
  return typeof value === 'string' && BOOKMARK_PATTERN.test(value)
}

/**
 * A handle whose queries run in one D1 session from `bookmark`, or first on the primary; null when
 * the binding has no Sessions API (a wrapped binding in a test), and the caller stays on the primary.
 */
export function openReadSession(d1: D1Database, bookmark: string | null): ReadSession | null {
  if (typeof d1.withSession !== 'function') return null
  const session = d1.withSession(bookmark ?? 'first-primary')
  return { db: createDb(session), bookmark: () => session.getBookmark() }
}
