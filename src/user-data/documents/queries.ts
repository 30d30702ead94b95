/**
 * Queries on `documents`. Every query is scoped by user id, so another user's document is
 * indistinguishable from one that does not exist. Pages are keyset pages on (created_at, id),
 * newest first, served by the `documents_user_created` index.
 */
import { and, count, desc, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { documents } from '../../platform/db/schema'
import { acceptsWrites } from '../write-guard'

export type DocumentRow = typeof documents.$inferSelect

/** A document without its content, as pages list it. */
export type DocumentSummaryRow = Omit<DocumentRow, 'content' | 'userId' | 'sizeBytes'>

/** A user's document limits: how many, and how many bytes in all. */
export interface DocumentLimits {
  count: number
  bytes: number
}

/** The bytes a document takes against the quota, in SQL: UTF-8 title plus UTF-8 content. */
const sizeOf = (title: SQLWrapper | string, content: SQLWrapper | string): SQL =>
  sql`length(cast(${title} as blob)) + length(cast(${content} as blob))`

/** Bytes the user's documents take, in SQL (served by the documents_user_size index). */
const bytesOf = (userId: string): SQL =>
  sql`(select coalesce(sum(d.size_bytes), 0) from ${documents} d where d.user_id = ${userId})`

/** Where a page starts: after this (createdAt, id), going older. */
export interface DocumentPosition {
  createdAt: number
  id: string
}

/**
 * Inserts one document if its user takes writes (user-data/write-guard.ts) and stays within `limits`,
 * checked in the same statement; false when nothing was inserted. Its size is computed by D1.
 */
export async function insertDocument(
  db: Db,
  row: Omit<DocumentRow, 'sizeBytes'>,
  limits: DocumentLimits,
  now: number,
): Promise<boolean> {
  const { id, userId, title, content, createdAt, updatedAt } = row
  const size = sizeOf(title, content)
  const result = await db.run(
    sql`insert into ${documents} (id, user_id, title, content, size_bytes, created_at, updated_at)
        select ${id}, ${userId}, ${title}, ${content}, ${size}, ${createdAt}, ${updatedAt}
        where ${acceptsWrites(userId, now)}
          and (select count(*) from ${documents} d where d.user_id = ${userId}) < ${limits.count}
          and ${bytesOf(userId)} + ${size} <= ${limits.bytes}`,
  )
  return result.meta.changes > 0
}

/** One document, only if it belongs to `userId`. */
export function findDocument(db: Db, userId: string, id: string) {
  return db
    .select()
    .from(documents)
    .where(and(eq(documents.id, id), eq(documents.userId, userId)))
    .get()
}

/** Up to `limit` documents newest first, strictly after `after` when given. */
export function listDocumentSummaries(
  db: Db,
  userId: string,
  limit: number,
  after: DocumentPosition | null,
): Promise<DocumentSummaryRow[]> {
  // A row-value comparison keeps the seek on the index; created_at ties are broken by id.
  const older = after
    ? sql`(${documents.createdAt}, ${documents.id}) < (${after.createdAt}, ${after.id})`
    : undefined
  return db
    .select({
      id: documents.id,
      title: documents.title,
      createdAt: documents.createdAt,
      updatedAt: documents.updatedAt,
    })
    .from(documents)
    .where(and(eq(documents.userId, userId), older))
    .orderBy(desc(documents.createdAt), desc(documents.id))
    .limit(limit)
    .all()
}

/**
 * Changes a document's title and/or content if its user takes writes and the new size keeps the
 * user within `bytesLimit`; undefined when nothing changed (no such document, or refused).
 */
export function updateDocument(
  db: Db,
  userId: string,
  id: string,
  changes: { title?: string; content?: string; updatedAt: number },
  bytesLimit: number,
) {
  const size = sizeOf(changes.title ?? documents.title, changes.content ?? documents.content)
  return db
    .update(documents)
    .set({ ...changes, sizeBytes: size })
    .where(
      and(
        eq(documents.id, id),
        eq(documents.userId, userId),
        acceptsWrites(userId, changes.updatedAt),
        sql`${bytesOf(userId)} - ${documents.sizeBytes} + ${size} <= ${bytesLimit}`,
      ),
    )
    .returning()
    .get()
}

/** Deletes a document if its user takes writes; false when nothing was deleted. */
export async function deleteDocument(
  db: Db,
  userId: string,
  id: string,
  now: number,
): Promise<boolean> {
  const deleted = await db
    .delete(documents)
    .where(and(eq(documents.id, id), eq(documents.userId, userId), acceptsWrites(userId, now)))
    .returning({ id: documents.id })
  return deleted.length > 0
}

/** How many documents a user has. */
export async function countDocuments(db: Db, userId: string): Promise<number> {
  const row = await db
    .select({ n: count() })
    .from(documents)
    .where(eq(documents.userId, userId))
    .get()
  return row?.n ?? 0
}

/** Gives every document of one user to another. */
export function moveDocumentsQuery(db: Db, from: string, into: string) {
  return db.update(documents).set({ userId: into }).where(eq(documents.userId, from))
}
