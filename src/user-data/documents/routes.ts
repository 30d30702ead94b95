/** `/v1/documents`: the caller's documents. Another user's document is a 404, like a missing one. */
import { createRoute, z } from '@hono/zod-openapi'
import { requireUser, userContext } from '../../session'
import type { DocumentRow, DocumentSummaryRow } from './queries'
import { createRouter } from '../../http/router'
import { ID_PATTERNS } from '../../platform/ids'
import { errorResponses, jsonBody, jsonContent } from '../../platform/openapi/schemas'
import {
  changeDocument,
  createDocument,
  DocumentContentSchema,
  DocumentTitleSchema,
  getDocument,
  listDocuments,
  removeDocument,
} from './service'
import { USER_ACCESS } from '../../platform/openapi/components'

const IdParam = z.object({
  id: z
    .string()
    .regex(ID_PATTERNS.doc, 'must be a document id (doc_ followed by 26 base32 characters)'),
})

const DocumentSummarySchema = z
  .object({
    id: z.string().openapi({ example: 'doc_01hx3d6q5k4m2n8p9r7s6t5v4w' }),
    title: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('DocumentSummary')

const DocumentSchema = DocumentSummarySchema.extend({ content: z.string() }).openapi('Document')

const DocumentAnswer = z.object({ document: DocumentSchema })

const NewDocument = z.object({ title: DocumentTitleSchema, content: DocumentContentSchema })

const DocumentChanges = z
  .object({ title: DocumentTitleSchema.optional(), content: DocumentContentSchema.optional() })
  .refine((changes) => changes.title !== undefined || changes.content !== undefined, {
    message: 'must change title, content or both',
  })

const PageQuery = z.object({
  limit: z.coerce
    .number('must be an integer from 1 to 100')
    .int('must be an integer from 1 to 100')
    .min(1, 'must be an integer from 1 to 100')
    .max(100, 'must be an integer from 1 to 100')
    .default(20),
  cursor: z.string().max(200).optional(),
})

const iso = (ms: number) => new Date(ms).toISOString()

const toSummary = (row: DocumentSummaryRow) => ({
  id: row.id,
  title: row.title,
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
})

const toDocument = (row: DocumentRow) => ({ ...toSummary(row), content: row.content })

export const documentRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/documents',
      operationId: 'createDocument',
      security: USER_ACCESS,
      tags: ['Documents'],
      summary: 'Create a document',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { body: jsonBody(NewDocument) },
      responses: {
        201: jsonContent(DocumentAnswer, 'The new document'),
        ...errorResponses(400, 401, 409, 413),
      },
    }),
    async (c) => {
      const row = await createDocument(c.var.rt, requireUser(c).id, c.req.valid('json'))
      return c.json({ document: toDocument(row) }, 201)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/documents',
      operationId: 'listDocuments',
      security: USER_ACCESS,
      tags: ['Documents'],
      summary: "A page of this user's documents, newest first (without content)",
      middleware: [userContext({ mode: 'required' })] as const,
      request: { query: PageQuery },
      responses: {
        200: jsonContent(
          z.object({
            documents: z.array(DocumentSummarySchema),
            nextCursor: z.string().nullable(),
          }),
          'A page of documents; nextCursor is null on the last page',
        ),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const page = await listDocuments(c.var.rt.db, requireUser(c).id, c.req.valid('query'))
      return c.json({ documents: page.documents.map(toSummary), nextCursor: page.nextCursor }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/documents/{id}',
      operationId: 'getDocument',
      security: USER_ACCESS,
      tags: ['Documents'],
      summary: 'One document',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: IdParam },
      responses: {
        200: jsonContent(DocumentAnswer, 'The document'),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const row = await getDocument(c.var.rt.db, requireUser(c).id, c.req.valid('param').id)
      return c.json({ document: toDocument(row) }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/v1/documents/{id}',
      operationId: 'updateDocument',
      security: USER_ACCESS,
      tags: ['Documents'],
      summary: "Change a document's title and/or content",
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: IdParam, body: jsonBody(DocumentChanges) },
      responses: {
        200: jsonContent(DocumentAnswer, 'The changed document'),
        ...errorResponses(400, 401, 404, 413),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const row = await changeDocument(c.var.rt, requireUser(c).id, id, c.req.valid('json'))
      return c.json({ document: toDocument(row) }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/v1/documents/{id}',
      operationId: 'deleteDocument',
      security: USER_ACCESS,
      tags: ['Documents'],
      summary: 'Delete a document',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      await removeDocument(c.var.rt.db, requireUser(c).id, c.req.valid('param').id)
      return c.body(null, 204)
    },
  )
