/** `GET /v1/dev/outbox`: the local mailbox. Mounted only when MAILER=outbox; loopback clients only. */
import { createRoute, z } from '@hono/zod-openapi'
import { normalizeEmail } from '../identity'
import { listOutbox } from '../platform/mail/outbox-queries'
import { loopbackOnly } from '../http/loopback-only'
import { createRouter } from '../http/router'
import { EmailSchema, errorResponses, jsonContent } from '../platform/openapi/schemas'
import { PUBLIC_ACCESS } from '../platform/openapi/components'

const MessageSchema = z.object({
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  link: z.string().nullable(),
  token: z.string().nullable(),
  sentAt: z.iso.datetime(),
})

export const devRoutes = createRouter().openapi(
  createRoute({
    method: 'get',
    path: '/v1/dev/outbox',
    operationId: 'listOutbox',
    security: PUBLIC_ACCESS,
    tags: ['Development'],
    summary: 'Mail sent to an address, newest first (MAILER=outbox, loopback clients only)',
    middleware: [loopbackOnly()] as const,
    request: { query: z.object({ to: EmailSchema }) },
    responses: {
      200: jsonContent(z.object({ messages: z.array(MessageSchema) }), 'Messages'),
      ...errorResponses(400),
    },
  }),
  async (c) => {
    const rows = await listOutbox(c.var.rt.db, normalizeEmail(c.req.valid('query').to))
    const messages = rows.map(({ to, subject, text, link, token, sentAt }) => ({
      to,
      subject,
      text,
      link,
      token,
      sentAt: new Date(sentAt).toISOString(),
    }))
    return c.json({ messages }, 200)
  },
)
