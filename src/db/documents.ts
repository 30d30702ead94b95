/**
 * Queries on `documents`. Every query is scoped by user id, so another user's document is
 * indistinguishable from one that does not exist. Pages are keyset pages on (created_at, id),
 * newest first, served by the `documents_user_created` index.
 */
import { and, count, desc, eq, sql } from 'drizzle-orm'
import type { Db } from './client'
import { documents } from './schema'

export type DocumentRow = typeof documents.$inferSelect

/** A document without its content, as pages list it. */
export type DocumentSummaryRow = Omit<DocumentRow, 'content' | 'userId'>

/** Where a page starts: after this (createdAt, id), going older. */
export interface DocumentPosition {
  createdAt: number
  id: string
}

/** Inserts one document row. */
export async function insertDocument(db: Db, row: DocumentRow): Promise<void> {
  await db.insert(documents).values(row)
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

/** Changes a document's title and/or content; undefined when the user has no such document. */
export function updateDocument(
  db: Db,
  userId: string,
  id: string,
  changes: { title?: string; content?: string; updatedAt: number },
) {
  return db
    .update(documents)
    .set(changes)
    .where(and(eq(documents.id, id), eq(documents.userId, userId)))
    .returning()
    .get()
}

/** Deletes a document; false when the user has no such document. */
export async function deleteDocument(db: Db, userId: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(documents)
    .where(and(eq(documents.id, id), eq(documents.userId, userId)))
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
