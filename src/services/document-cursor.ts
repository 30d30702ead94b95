/**
 * The opaque cursor of a documents page: base64url of `<createdAt>:<id>` of the page's last
 * document. Clients must treat it as opaque; the server checks every part before using it.
 */
import type { DocumentPosition } from '../db/documents'
import { fromBase64Url, toBase64Url } from '../encoding'
import { ID_PATTERNS } from '../ids'

/** The cursor that continues after `position`. */
export function encodeDocumentCursor(position: DocumentPosition): string {
  return toBase64Url(new TextEncoder().encode(`${position.createdAt}:${position.id}`))
}

/** The position a cursor names, or null for anything this server did not make. */
export function decodeDocumentCursor(cursor: string): DocumentPosition | null {
  const bytes = fromBase64Url(cursor)
  if (!bytes) return null
  const match = /^(\d{1,15}):(.+)$/.exec(new TextDecoder().decode(bytes))
  if (!match || !ID_PATTERNS.doc.test(match[2]!)) return null
  return { createdAt: Number(match[1]), id: match[2]! }
}
