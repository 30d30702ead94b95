/** The opaque cursor of a documents page (see page-cursor.ts): only document ids pass. */
import type { DocumentPosition } from './queries'
import { ID_PATTERNS } from '../../platform/ids'
import { decodePageCursor, encodePageCursor } from '../../platform/db/page-cursor'

/** The cursor that continues after `position`. */
export const encodeDocumentCursor = (position: DocumentPosition): string =>
  encodePageCursor(position)

/** The position a cursor names, or null for anything this server did not make. */
export const decodeDocumentCursor = (cursor: string): DocumentPosition | null =>
  decodePageCursor(cursor, ID_PATTERNS.doc)
