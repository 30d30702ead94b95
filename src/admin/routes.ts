/** The admin API: kill switch, key rotation, sweep, metrics, erasing a user. */
import { z } from '@hono/zod-openapi'
import { tokenPair } from '../http/transport'
import { findUser } from '../platform/db/users'
import { notFound } from '../platform/errors'
import { requestMeta } from '../http/request-meta'
import { createRouter } from '../http/router'
import { adminRoute } from './admin-route'
import { USER_ID_PATTERN } from '../platform/ids'
import { runSweep } from '../jobs'
import { OAuthClientSchema, OAuthTokensSchema, ServerIdSchema } from '../user-data'
import { errorResponses, jsonContent, TokensSchema, UserSchema } from '../platform/openapi/schemas'
import { toUserSession } from '../platform/openapi/views'
import { recordAuditEvent } from '../platform/audit/audit-log'
import { eraseUsers } from '../identity'
import { importLegacyInstall } from './legacy-import'
import { pullKillSwitch, readMetrics } from './operations'
import { describeSigningKeys, rotateSigningKey } from '../platform/tokens/signing-key-rotation'

const adminErrors = errorResponses(400, 401, 403)
const counts = z.record(z.string(), z.number())
const iso = (ms: number) => new Date(ms).toISOString()

export const adminRoutes = createRouter()
  .openapi(
    adminRoute({
      method: 'post',
      path: '/v1/admin/kill-switch',
      operationId: 'pullKillSwitch',
      summary: 'Revoke every existing session',
      responses: {
        200: jsonContent(z.object({ revokedBefore: z.iso.datetime() }), 'Pulled'),
        ...adminErrors,
      },
    }),
    async (c) => {
      const at = await pullKillSwitch(c.var.rt, Date.now())
      await recordAuditEvent(
        c.var.rt.db,
        {
          type: 'admin.kill_switch',
          userId: c.var.user?.id ?? null,
          sessionId: c.var.user?.sessionId ?? null,
        },
        requestMeta(c),
        at,
      )
      return c.json({ revokedBefore: new Date(at).toISOString() }, 200)
    },
  )
  .openapi(
    adminRoute({
      method: 'post',
      path: '/v1/admin/keys/rotate',
      operationId: 'rotateSigningKey',
      summary:
        'Add a signing key; it signs once every isolate has it, old tokens verify until they expire',
      responses: {
        200: jsonContent(
          z.object({ kid: z.string(), signsFrom: z.iso.datetime() }),
          'The new key, and when it starts signing',
        ),
        ...adminErrors,
      },
    }),
    async (c) => {
      const now = Date.now()
      const kid = await rotateSigningKey(c.var.rt, now)
      const key = (await describeSigningKeys(c.var.rt, now)).find((k) => k.kid === kid)!
      await recordAuditEvent(
        c.var.rt.db,
        {
          type: 'admin.keys_rotated',
          userId: c.var.user?.id ?? null,
          sessionId: c.var.user?.sessionId ?? null,
          detail: { kid },
        },
        requestMeta(c),
        now,
      )
      return c.json({ kid, signsFrom: iso(key.signsFrom) }, 200)
    },
  )
  .openapi(
    adminRoute({
      method: 'get',
      path: '/v1/admin/keys',
      operationId: 'listSigningKeys',
      summary: 'Unretired signing keys, newest first: when each starts signing, which signs now',
      responses: {
        200: jsonContent(
          z.object({
            keys: z.array(
              z.object({
                kid: z.string(),
                createdAt: z.iso.datetime(),
                signsFrom: z.iso.datetime(),
                signing: z.boolean(),
              }),
            ),
          }),
          'The keys',
        ),
        ...adminErrors,
      },
    }),
    async (c) => {
      const keys = await describeSigningKeys(c.var.rt, Date.now())
      return c.json(
        {
          keys: keys.map((k) => ({
            ...k,
            createdAt: iso(k.createdAt),
            signsFrom: iso(k.signsFrom),
          })),
        },
        200,
      )
    },
  )
  .openapi(
    adminRoute({
      method: 'post',
      path: '/v1/admin/sweep',
      operationId: 'runSweep',
      summary: 'Run the sweep now (the same work as the cron trigger)',
      responses: {
        200: jsonContent(
          z.object({ counts, durationMs: z.number(), complete: z.boolean() }),
          'What the run deleted',
        ),
        ...adminErrors,
      },
    }),
    async (c) => c.json(await runSweep(c.var.rt, { trigger: 'admin' }), 200),
  )
  .openapi(
    adminRoute({
      method: 'get',
      path: '/v1/admin/metrics',
      operationId: 'getMetrics',
      summary:
        'Materialised users by kind, live sessions, auth failures in 24 h, last sweep, sealed values per key id, heaviest users, and where the counts kept out of D1 (sessions issued, rate-limit hits) are',
      responses: {
        200: jsonContent(
          z.object({
            users: z.object({ anonymous: z.number(), accounts: z.number(), merged: z.number() }),
            liveSessions: z.number(),
            authFailures24h: z.number(),
            sources: z
              .object({
                d1: z.array(z.string()),
                analyticsEngine: z.object({
                  dataset: z.string(),
                  events: z.array(z.string()),
                  query: z.string(),
                }),
              })
              .describe(
                'Which figures come from D1 (above) and which only from Workers Analytics Engine, with a SQL API query for them',
              ),
            lastSweep: z
              .object({
                at: z.iso.datetime(),
                trigger: z.string(),
                durationMs: z.number(),
                complete: z.boolean(),
                counts,
              })
              .nullable(),
            sealedValues: z.object({
              currentKeyId: z.string(),
              previousKeyIds: z.array(z.string()),
              byKeyId: counts.describe(
                'Stored values per master key id; zero for a key no longer needed',
              ),
              unlabelled: z.number().describe('Values sealed before key ids, not yet re-sealed'),
            }),
            heaviestUsers: z
              .array(
                z.object({
                  userId: z.string(),
                  documents: z.number(),
                  documentBytes: z.number(),
                  secrets: z.number(),
                  oauthServers: z.number(),
                  events: z.number(),
                }),
              )
              .describe('The users whose documents take the most bytes, and what else they keep'),
          }),
          'Counts',
        ),
        ...adminErrors,
      },
    }),
    async (c) => c.json(await readMetrics(c.var.rt, Date.now()), 200),
  )
  .openapi(
    adminRoute({
      method: 'delete',
      path: '/v1/admin/users/{id}',
      operationId: 'eraseUser',
      summary: 'Erase a user: every row and every session',
      request: {
        params: z.object({
          id: z.string().regex(USER_ID_PATTERN, 'must be a user id (anon_… or usr_…)'),
        }),
      },
      responses: { 204: { description: 'Erased' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      if (!(await findUser(c.var.rt.db, id))) throw notFound('The user')
      await eraseUsers(c.var.rt, [id])
      await recordAuditEvent(
        c.var.rt.db,
        {
          type: 'admin.user_erased',
          userId: null,
          sessionId: c.var.user?.sessionId ?? null,
          detail: { erased: id },
        },
        requestMeta(c),
        Date.now(),
      )
      return c.body(null, 204)
    },
  )
  .openapi(
    adminRoute({
      method: 'post',
      path: '/v1/admin/import',
      operationId: 'importLegacyInstall',
      summary: "Import a single-user install's OAuth records as one user; idempotent by importId",
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                importId: z
                  .string()
                  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1 to 128 of A-Z a-z 0-9 _ . : -'),
                oauth: z
                  .array(
                    z.object({
                      serverId: ServerIdSchema,
                      tokens: OAuthTokensSchema.optional(),
                      client: OAuthClientSchema.optional(),
                    }),
                  )
                  .max(100),
              }),
            },
          },
        },
      },
      responses: {
        201: jsonContent(
          z.object({ user: UserSchema, tokens: TokensSchema }),
          'The imported user and a session for it',
        ),
        200: jsonContent(
          z.object({ user: UserSchema, tokens: TokensSchema }),
          'This import id was seen before: the same user',
        ),
        ...errorResponses(400, 401, 403, 413),
      },
    }),
    async (c) => {
      const { issued, created } = await importLegacyInstall(
        c.var.rt,
        c.req.valid('json'),
        requestMeta(c),
      )
      const { user } = toUserSession(issued.view)
      const tokens = tokenPair(issued)
      return created ? c.json({ user, tokens }, 201) : c.json({ user, tokens }, 200)
    },
  )
