/**
 * OAuth client state per server for MCP and third-party servers: tokens, client information and
 * the PKCE verifier, each readable and writable on its own, as the MCP SDK's `OAuthClientProvider`
 * stores them. Every route needs a session and touches only the caller's records.
 */
import { createRoute, z } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../http/app-env'
import { requireUser, userContext } from '../../session'
import { notFound } from '../../platform/errors'
import { createRouter } from '../../http/router'
import { errorResponses, jsonBody, jsonContent } from '../../platform/openapi/schemas'
import {
  clearOAuthRecord,
  deleteAllOAuthRecords,
  listOAuthServers,
  OAUTH_SCOPES,
  type OAuthRecordKey,
  type OAuthScope,
  type OAuthStore,
  PKCE_VERIFIER_PATTERN,
  readOAuthClient,
  readOAuthTokens,
  readOAuthVerifier,
  saveOAuthClient,
  saveOAuthTokens,
  saveOAuthVerifier,
} from './service'
import { USER_ACCESS } from '../../platform/openapi/components'
import { OAuthClientSchema, OAuthTokensSchema, ServerIdSchema } from './schemas'

const ServerIdParam = z.object({ serverId: ServerIdSchema })

const VerifierSchema = z
  .object({
    verifier: z
      .string()
      .regex(
        PKCE_VERIFIER_PATTERN,
        'must be 43 to 128 characters of A-Z, a-z, 0-9, ".", "_", "~" or "-"',
      ),
  })
  .openapi('PkceVerifier')

const ServerSummarySchema = z
  .object({
    serverId: z.string(),
    hasTokens: z.boolean(),
    hasClient: z.boolean(),
    hasVerifier: z.boolean(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('OAuthServer')

/**
 * What every OAuth route declares: a session required, user security, the OAuth tag (keys in the
 * order the OpenAPI document lists them; the middleware is not part of it).
 */
const SESSION_ROUTE: {
  security: typeof USER_ACCESS
  tags: string[]
  middleware: [MiddlewareHandler<AppEnv>]
} = {
  security: USER_ACCESS,
  tags: ['OAuth'],
  middleware: [userContext({ mode: 'required' })],
}

/** The caller's record for the server the path names. */
function recordKey(
  c: Context<AppEnv, string, { out: { param: z.output<typeof ServerIdParam> } }>,
): OAuthRecordKey {
  return { userId: requireUser(c).id, serverId: c.req.valid('param').serverId }
}

/**
 * What a record's `PUT` takes: the server id and the field's JSON. @hono/zod-openapi works a
 * route's input out with conditional types, which stay unresolved while the body schema is a type
 * parameter (`c.req.valid('json')` would not type-check), so it is given to `openapi()` as the
 * library types it once the schema is known.
 */
type RecordInput<T extends z.ZodType> = {
  in: { param: z.input<typeof ServerIdParam> }
  out: { param: z.output<typeof ServerIdParam> }
} & { in: { json: z.input<T> }; out: { json: z.output<T> } }

/** One field of a server's OAuth record: its shape, how the service reads and stores it, its docs. */
interface RecordField<T extends z.ZodType> {
  schema: T
  /** The stored value as the route answers it, or null when there is none. */
  read: (store: OAuthStore, key: OAuthRecordKey, now: number) => Promise<z.output<T> | null>
  save: (store: OAuthStore, key: OAuthRecordKey, value: z.output<T>, now: number) => Promise<void>
  getSummary: string
  putSummary: string
  /** The 200 answer's description. */
  stored: string
  /** What the 404 says is missing. */
  missing: string
}

/**
 * `GET` and `PUT /v1/oauth/{serverId}/<field>` (`getOAuth<Field>`, `putOAuth<Field>`): read the
 * field (404 when there is none) and replace it (at most 16 KiB as JSON).
 */
function oauthRecordRoutes<F extends Exclude<OAuthScope, 'all'>, T extends z.ZodType>(
  field: F,
  record: RecordField<T>,
) {
  const path = `/v1/oauth/{serverId}/${field}` as const
  const name = `OAuth${field.charAt(0).toUpperCase()}${field.slice(1)}`
  const getRoute = createRoute({
    method: 'get',
    path,
    operationId: `get${name}`,
    ...SESSION_ROUTE,
    summary: record.getSummary,
    request: { params: ServerIdParam },
    responses: {
      200: jsonContent(record.schema, record.stored),
      ...errorResponses(400, 401, 404),
    },
  })
  const putRoute = createRoute({
    method: 'put',
    path,
    operationId: `put${name}`,
    ...SESSION_ROUTE,
    summary: record.putSummary,
    request: { params: ServerIdParam, body: jsonBody(record.schema) },
    responses: { 204: { description: 'Stored' }, ...errorResponses(400, 401, 409, 413) },
  })
  return createRouter()
    .openapi(getRoute, async (c) => {
      const value = await record.read(c.var.rt, recordKey(c), Date.now())
      if (value === null) throw notFound(record.missing)
      return c.json(value, 200)
    })
    .openapi<typeof putRoute, RecordInput<T>>(putRoute, async (c) => {
      await record.save(c.var.rt, recordKey(c), c.req.valid('json'), Date.now())
      return c.body(null, 204)
    })
}

export const oauthRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/oauth',
      operationId: 'listOAuthServers',
      ...SESSION_ROUTE,
      summary: 'Servers this user has OAuth state for',
      responses: {
        200: jsonContent(z.object({ servers: z.array(ServerSummarySchema) }), 'One entry a server'),
        ...errorResponses(401),
      },
    }),
    async (c) => {
      const servers = await listOAuthServers(c.var.rt, requireUser(c).id, Date.now())
      return c.json(
        {
          servers: servers.map((s) => ({ ...s, updatedAt: new Date(s.updatedAt).toISOString() })),
        },
        200,
      )
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/v1/oauth',
      operationId: 'forgetAllOAuth',
      ...SESSION_ROUTE,
      summary: "Delete every one of this user's OAuth records",
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401) },
    }),
    async (c) => {
      await deleteAllOAuthRecords(c.var.rt, requireUser(c).id)
      return c.body(null, 204)
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/v1/oauth/{serverId}',
      operationId: 'forgetOAuthServer',
      ...SESSION_ROUTE,
      summary: "Forget some or all of one server's OAuth state",
      request: {
        params: ServerIdParam,
        query: z.object({ scope: z.enum(OAUTH_SCOPES).default('all') }),
      },
      responses: { 204: { description: 'Forgotten' }, ...errorResponses(400, 401) },
    }),
    async (c) => {
      await clearOAuthRecord(c.var.rt, recordKey(c), c.req.valid('query').scope, Date.now())
      return c.body(null, 204)
    },
  )
  .route(
    '/',
    oauthRecordRoutes('tokens', {
      schema: OAuthTokensSchema,
      read: readOAuthTokens,
      save: saveOAuthTokens,
      getSummary: 'The stored tokens for a server',
      putSummary: 'Store the tokens for a server (at most 16 KiB as JSON)',
      stored: 'The tokens as stored',
      missing: 'An OAuth token set for this server',
    }),
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/v1/oauth/{serverId}/tokens',
      operationId: 'deleteOAuthTokens',
      ...SESSION_ROUTE,
      summary: 'Forget the tokens for a server',
      request: { params: ServerIdParam },
      responses: { 204: { description: 'Forgotten' }, ...errorResponses(400, 401) },
    }),
    async (c) => {
      await clearOAuthRecord(c.var.rt, recordKey(c), 'tokens', Date.now())
      return c.body(null, 204)
    },
  )
  .route(
    '/',
    oauthRecordRoutes('client', {
      schema: OAuthClientSchema,
      read: readOAuthClient,
      save: saveOAuthClient,
      getSummary: 'The stored client information for a server',
      putSummary: 'Store the client information for a server (at most 16 KiB as JSON)',
      stored: 'The client information as stored',
      missing: 'Client information for this server',
    }),
  )
  .route(
    '/',
    oauthRecordRoutes('verifier', {
      schema: VerifierSchema,
      read: async (store, key, now) => {
        const verifier = await readOAuthVerifier(store, key, now)
        return verifier === null ? null : { verifier }
      },
      save: (store, key, body, now) => saveOAuthVerifier(store, key, body.verifier, now),
      getSummary: 'The PKCE verifier for a server, for 10 minutes after it was put',
      putSummary: 'Store the PKCE verifier for a server; it expires after 10 minutes',
      stored: 'The verifier',
      missing: 'A PKCE verifier for this server',
    }),
  )
