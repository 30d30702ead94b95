/**
 * Which D1 copy a request reads: a replica near the user for the reads the app marks as safe, the
 * primary for everything else. The client carries a bookmark (a cookie for browsers, the
 * `X-Read-Bookmark` header for bearer clients) so that a replica serves its reads only once it
 * holds every write the client has seen: a user always reads their own writes.
 *
 * Every other request reads and writes the primary through the plain binding, exactly as without
 * replication. A write's changes, and those a session's object makes on its behalf, reach no
 * bookmark of ours, so its answer drops the client's bookmark: the next replica read starts on the
 * primary. A read on the primary keeps the bookmark the client holds.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { isBookmark, openReadSession } from '../platform/db/read-session'
import type { Runtime } from '../platform/runtime'
import type { AppEnv } from './app-env'
import { cookieAttributes, readBearerToken, wantsTokenTransport } from './transport'

export const BOOKMARK_COOKIE = 'read-bookmark'
export const BOOKMARK_HEADER = 'X-Read-Bookmark'

/** Whether a request's reads may come from a replica; everything else stays on the primary. */
export type ReplicaReadPolicy = (c: Context<AppEnv>) => boolean

// The runtime on the primary, for a request whose reads started out on a replica.
const primaryOf = new WeakMap<Context, Runtime>()

export function readReplicas(readsFromReplica: ReplicaReadPolicy): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = readBookmark(c)
    const rt = c.var.rt
    const read = readsFromReplica(c) ? openReadSession(rt.db.$client, presented) : null
    if (!read) {
      await next()
      if (presented && mayHaveWritten(c)) forgetBookmark(c)
      return
    }
    primaryOf.set(c, rt)
    c.set('rt', { ...rt, db: read.db })
    await next()
    const bookmark = read.bookmark()
    if (bookmark && bookmark !== presented) handBookmark(c, bookmark)
  }
}

/**
 * Moves the rest of this request's reads to the primary: for a request that has just changed the
 * session (a transparent refresh may have materialised it), which its bookmark predates.
 */
export function pinReadsToPrimary(c: Context<AppEnv>): void {
  const primary = primaryOf.get(c)
  if (primary) c.set('rt', primary)
}

/** Clients without cookies (token transport, or any bearer) carry the bookmark in a header. */
const carriesHeader = (c: Context<AppEnv>) =>
  wantsTokenTransport(c) || readBearerToken(c) !== undefined

/** A write, or a session issued or rotated (a refresh may materialise it): D1 may have changed. */
function mayHaveWritten(c: Context<AppEnv>): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) || c.var.issued !== null
}

function readBookmark(c: Context<AppEnv>): string | null {
  const value = carriesHeader(c)
    ? c.req.header(BOOKMARK_HEADER)
    : readCookie(c, c.var.rt.settings.COOKIE_SECURE)
  return isBookmark(value) ? value : null
}

function handBookmark(c: Context<AppEnv>, bookmark: string): void {
  if (carriesHeader(c)) c.header(BOOKMARK_HEADER, bookmark)
  else setCookie(c, BOOKMARK_COOKIE, bookmark, cookieAttributes(c.var.rt.settings.COOKIE_SECURE))
}

function forgetBookmark(c: Context<AppEnv>): void {
  // An empty header tells a token client to drop what it holds.
  if (carriesHeader(c)) c.header(BOOKMARK_HEADER, '')
  else deleteCookie(c, BOOKMARK_COOKIE, cookieAttributes(c.var.rt.settings.COOKIE_SECURE))
}

function readCookie(c: Context, secure: boolean): string | undefined {
  const { prefix } = cookieAttributes(secure)
  return prefix ? getCookie(c, BOOKMARK_COOKIE, prefix) : getCookie(c, BOOKMARK_COOKIE)
}
