/**
 * Documents: titled text owned by one user, listed newest first in keyset pages. Another user's
 * document answers exactly like a missing one (404), whatever the operation.
 */
import { z } from '@hono/zod-openapi'
import {
  countDocuments,
  deleteDocument,
  findDocument,
  insertDocument,
  listDocumentSummaries,
  moveDocumentsQuery,
  updateDocument,
  type DocumentRow,
  type DocumentSummaryRow,
} from './queries'
import type { Db } from '../../platform/db/client'
import { invalidRequest, notFound } from '../../platform/errors'
import { createId } from '../../platform/ids'
import { utf8Text } from '../../platform/byte-limits'
import { utf8ByteLength } from '../../platform/utf8'
import type { MergeMover } from '../mover'
import { decodeDocumentCursor, encodeDocumentCursor } from './cursor'
import { quotaExceeded, quotaOf, type QuotaSettings } from '../quotas'
import { refusal } from '../write-refusal'

export const DOCUMENT_TITLE_MAX_CHARS = 200

/** The most a document's content may take, in UTF-8 bytes. */
export const DOCUMENT_CONTENT_MAX_BYTES = 256 * 1024

/** A title: 1 to 200 characters. */
export const DocumentTitleSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(DOCUMENT_TITLE_MAX_CHARS, `must be at most ${DOCUMENT_TITLE_MAX_CHARS} characters`)

/** Content: any text of at most 256 KiB in UTF-8 (413 past it). */
export const DocumentContentSchema = utf8Text(DOCUMENT_CONTENT_MAX_BYTES)

export interface DocumentPage {
  documents: DocumentSummaryRow[]
  /** Null on the last page. */
  nextCursor: string | null
}

const missing = () => notFound('The document')

/** What document writes need: the database and the quota settings. */
export interface DocumentsRuntime {
  db: Db
  settings: QuotaSettings
}

const limitsOf = (settings: QuotaSettings, userId: string) => ({
  count: quotaOf(settings, 'documents', userId),
  bytes: quotaOf(settings, 'documentBytes', userId),
})

/**
 * Stores a new document for the user under a fresh `doc_` id, within the user's quotas: 409
 * `quota_exceeded` past the count, 413 past the bytes.
 */
export async function createDocument(
  { db, settings }: DocumentsRuntime,
  userId: string,
  input: { title: string; content: string },
  now = Date.now(),
): Promise<DocumentRow> {
  const { title, content } = input
  const row = { id: createId('doc'), userId, title, content, createdAt: now, updatedAt: now }
  const quota = limitsOf(settings, userId)
  const limits = { count: quota.count.limit, bytes: quota.bytes.limit }
  if (await insertDocument(db, row, limits, now))
    return { ...row, sizeBytes: utf8ByteLength(title) + utf8ByteLength(content) }
  throw await refusal(db, userId, now, async () =>
    (await countDocuments(db, userId)) >= limits.count
      ? quotaExceeded(quota.count, userId)
      : quotaExceeded(quota.bytes, userId),
  )
}

/** One of the user's documents; 404 for a missing one or another user's. */
export async function getDocument(db: Db, userId: string, id: string): Promise<DocumentRow> {
  const row = await findDocument(db, userId, id)
  if (!row) throw missing()
  return row
}

/** One page of the user's documents, newest first, continuing from `cursor` when given. */
export async function listDocuments(
  db: Db,
  userId: string,
  { limit, cursor }: { limit: number; cursor?: string },
): Promise<DocumentPage> {
  const after = cursor === undefined ? null : decodeDocumentCursor(cursor)
  if (after === null && cursor !== undefined)
    throw invalidRequest('query.cursor: must be the nextCursor of an earlier page')
  // One row more than asked says whether another page follows, so the last page says so itself.
  const rows = await listDocumentSummaries(db, userId, limit + 1, after)
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return {
    documents: page,
    nextCursor: rows.length > limit && last ? encodeDocumentCursor(last) : null,
  }
}

/** Changes the title and/or content of one of the user's documents; 404 as for a read. */
export async function changeDocument(
  { db, settings }: DocumentsRuntime,
  userId: string,
  id: string,
  changes: { title?: string; content?: string },
  now = Date.now(),
): Promise<DocumentRow> {
  const bytes = quotaOf(settings, 'documentBytes', userId)
  const row = await updateDocument(db, userId, id, { ...changes, updatedAt: now }, bytes.limit)
  if (row) return row
  throw await refusal(db, userId, now, async () =>
    (await findDocument(db, userId, id)) ? quotaExceeded(bytes, userId) : missing(),
  )
}

/** Deletes one of the user's documents; 404 as for a read. */
export async function removeDocument(
  db: Db,
  userId: string,
  id: string,
  now = Date.now(),
): Promise<void> {
  if (await deleteDocument(db, userId, id, now)) return
  throw await refusal(db, userId, now, missing)
}

/** Documents never conflict: every one moves to the account. */
export const documentsMover: MergeMover = {
  kind: 'documents',
  async plan({ db, from, into }) {
    // The update runs even when the count is 0: it also takes a document created since.
    const moved = await countDocuments(db, from)
    return { statements: [moveDocumentsQuery(db, from, into)], moved, conflicts: [] }
  },
}
