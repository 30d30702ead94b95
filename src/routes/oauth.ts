/**
 * OAuth client state per server for MCP and third-party servers: tokens, client information and
 * the PKCE verifier, each readable and writable on its own, as the MCP SDK's `OAuthClientProvider`
 * stores them. Every route needs a session and touches only the caller's records.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { requireUser, userContext } from '../http/user-context'
import { notFound } from '../errors'
import { createRouter } from '../http/router'
import { errorResponses, jsonBody, jsonContent } from '../schemas'
import {
  clearOAuthRecord,
  deleteAllOAuthRecords,
  isServerId,
  listOAuthServers,
  OAUTH_SCOPES,
  PKCE_VERIFIER_PATTERN,
  readOAuthClient,
  readOAuthTokens,
  readOAuthVerifier,
  saveOAuthClient,
  saveOAuthTokens,
  saveOAuthVerifier,
} from '../services/oauth-store'
import { USER_ACCESS } from '../openapi/components'

/** A server id, checked as every OAuth route checks it (the admin import too). */
export const ServerIdSchema = z
  .string()
  .refine(isServerId, 'must be 1 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-"')

const ServerIdParam = z.object({ serverId: ServerIdSchema })

// The SDK's shapes (its `OAuthTokensSchema`, `OAuthClientInformationSchema`): the fields it relies
// on are checked, every other field is kept as sent, so a newer SDK's additions survive a round trip.
export const OAuthTokensSchema = z
  .looseObject({
    access_token: z.string(),
    token_type: z.string(),
    id_token: z.string().optional(),
    expires_in: z.number().optional(),
    scope: z.string().optional(),
    refresh_token: z.string().optional(),
    issuer: z.string().optional(),
  })
  .openapi('OAuthTokens')

export const OAuthClientSchema = z
  .looseObject({
    client_id: z.string(),
    client_secret: z.string().optional(),
    client_id_issued_at: z.number().optional(),
    client_secret_expires_at: z.number().optional(),
    issuer: z.string().optional(),
  })
  .openapi('OAuthClientInformation')

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

const tags = ['OAuth']

export const oauthRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/oauth',
      operationId: 'listOAuthServers',
      security: USER_ACCESS,
      tags,
      summary: 'Servers this user has OAuth state for',
      middleware: [userContext({ mode: 'required' })] as const,
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
      security: USER_ACCESS,
      tags,
      summary: "Delete every one of this user's OAuth records",
      middleware: [userContext({ mode: 'required' })] as const,
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
      security: USER_ACCESS,
      tags,
      summary: "Forget some or all of one server's OAuth state",
      middleware: [userContext({ mode: 'required' })] as const,
      request: {
        params: ServerIdParam,
        query: z.object({ scope: z.enum(OAUTH_SCOPES).default('all') }),
      },
      responses: { 204: { description: 'Forgotten' }, ...errorResponses(400, 401) },
    }),
    async (c) => {
      const key = { userId: requireUser(c).id, serverId: c.req.valid('param').serverId }
      await clearOAuthRecord(c.var.rt, key, c.req.valid('query').scope, Date.now())
      return c.body(null, 204)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/oauth/{serverId}/tokens',
      operationId: 'getOAuthTokens',
      security: USER_ACCESS,
      tags,
      summary: 'The stored tokens for a server',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: ServerIdParam },
      responses: {
        200: jsonContent(OAuthTokensSchema, 'The tokens as stored'),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const key = { userId: requireUser(c).id, serverId: c.req.valid('param').serverId }
      const tokens = await readOAuthTokens(c.var.rt, key)
      if (!tokens) throw notFound('An OAuth token set for this server')
      return c.json(tokens, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/v1/oauth/{serverId}/tokens',
      operationId: 'putOAuthTokens',
      security: USER_ACCESS,
      tags,
      summary: 'Store the tokens for a server (at most 16 KiB as JSON)',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: ServerIdParam, body: jsonBody(OAuthTokensSchema) },
      responses: { 204: { description: 'Stored' }, ...errorResponses(400, 401, 409, 413) },
    }),
    async (c) => {
      const key = { userId: requireUser(c).id, serverId: c.req.valid('param').serverId }
      await saveOAuthTokens(c.var.rt, key, c.req.valid('json'), Date.now())
      return c.body(null, 204)
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/v1/oauth/{serverId}/tokens',
      operationId: 'deleteOAuthTokens',
      security: USER_ACCESS,
      tags,
      summary: 'Forget the tokens for a server',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: ServerIdParam },
      responses: { 204: { description: 'Forgotten' }, ...errorResponses(400, 401) },
    }),
    async (c) => {
      const key = { userId: requireUser(c).id, serverId: c.req.valid('param').serverId }
      await clearOAuthRecord(c.var.rt, key, 'tokens', Date.now())
      return c.body(null, 204)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/oauth/{serverId}/client',
      operationId: 'getOAuthClient',
      security: USER_ACCESS,
      tags,
      summary: 'The stored client information for a server',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: ServerIdParam },
      responses: {
        200: jsonContent(OAuthClientSchema, 'The client information as stored'),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const key = { userId: requireUser(c).id, serverId: c.req.valid('param').serverId }
      const client = await readOAuthClient(c.var.rt, key)
      if (!client) throw notFound('Client information for this server')
      return c.json(client, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/v1/oauth/{serverId}/client',
      operationId: 'putOAuthClient',
      security: USER_ACCESS,
      tags,
      summary: 'Store the client information for a server (at most 16 KiB as JSON)',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: ServerIdParam, body: jsonBody(OAuthClientSchema) },
      responses: { 204: { description: 'Stored' }, ...errorResponses(400, 401, 409, 413) },
    }),
    async (c) => {
      const key = { userId: requireUser(c).id, serverId: c.req.valid('param').serverId }
      await saveOAuthClient(c.var.rt, key, c.req.valid('json'), Date.now())
      return c.body(null, 204)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/oauth/{serverId}/verifier',
      operationId: 'getOAuthVerifier',
      security: USER_ACCESS,
      tags,
      summary: 'The PKCE verifier for a server, for 10 minutes after it was put',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: ServerIdParam },
      responses: {
        200: jsonContent(VerifierSchema, 'The verifier'),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const key = { userId: requireUser(c).id, serverId: c.req.valid('param').serverId }
      const verifier = await readOAuthVerifier(c.var.rt, key, Date.now())
      if (verifier === null) throw notFound('A PKCE verifier for this server')
      return c.json({ verifier }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/v1/oauth/{serverId}/verifier',
      operationId: 'putOAuthVerifier',
      security: USER_ACCESS,
      tags,
      summary: 'Store the PKCE verifier for a server; it expires after 10 minutes',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: ServerIdParam, body: jsonBody(VerifierSchema) },
      responses: { 204: { description: 'Stored' }, ...errorResponses(400, 401, 409, 413) },
    }),
    async (c) => {
      const key = { userId: requireUser(c).id, serverId: c.req.valid('param').serverId }
      await saveOAuthVerifier(c.var.rt, key, c.req.valid('json').verifier, Date.now())
      return c.body(null, 204)
    },
  )
