/**
 * The opaque cursor of a newest-first page: base64url of `<createdAt>:<id>` of the page's last
 * item. Clients must treat it as opaque; the server checks every part before using it.
 */
import { fromBase64Url, toBase64Url } from '../encoding'

/** Where a page ended: the last item's creation time and id (ties broken by id). */
export interface PagePosition {
  createdAt: number
  id: string
}

/** The cursor that continues after `position`. */
export function encodePageCursor(position: PagePosition): string {
  return toBase64Url(new TextEncoder().encode(`${position.createdAt}:${position.id}`))
}

/** The position a cursor names, or null for anything this server did not make. */
export function decodePageCursor(
  cursor: string,
  idPattern: { test(id: string): boolean },
): PagePosition | null {
  const bytes = fromBase64Url(cursor)
  if (!bytes) return null
  const match = /^(\d{1,15}):(.+)$/.exec(new TextDecoder().decode(bytes))
  if (!match || !idPattern.test(match[2]!)) return null
  return { createdAt: Number(match[1]), id: match[2]! }
}
