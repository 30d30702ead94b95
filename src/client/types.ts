/**
 * The request and response shapes the SDK speaks, taken from the server's own zod schemas and
 * route definitions with `import type` only: the types follow the contract, and no zod or server
 * code reaches the browser bundle.
 */
import type { Hono } from 'hono'
import type { z } from 'zod'
import type { devRoutes } from '../routes/dev'
import type { documentRoutes } from '../routes/documents'
import type { eventRoutes } from '../routes/events'
import type { LinkPreviewSchema } from '../routes/magic-links'
import type { OAuthClientSchema, OAuthTokensSchema, oauthRoutes } from '../routes/oauth'
import type { secretRoutes } from '../routes/secrets'
import type {
  MergeSchema,
  SessionSchema,
  SignInSchema,
  TokensSchema,
  UserSchema,
  UserSessionSchema,
} from '../schemas'
import type { PreferencesPatchSchema, PreferencesSchema } from '../services/preferences'

/** The typed routes of a router (Hono's schema type parameter). */
type RoutesOf<R> = R extends Hono<infer _Env, infer Routes, infer _Base> ? Routes : never

/** What a route answers with `status`, as its OpenAPI definition types it. */
type Answer<
  R,
  Path extends keyof RoutesOf<R>,
  Method extends keyof RoutesOf<R>[Path],
  Status extends number,
> =
  Extract<RoutesOf<R>[Path][Method], { status: Status }> extends { output: infer Output }
    ? Output
    : never

/** What a route takes as its JSON body. */
type JsonBody<
  R,
  Path extends keyof RoutesOf<R>,
  Method extends keyof RoutesOf<R>[Path],
> = RoutesOf<R>[Path][Method] extends { input: { json: infer Body } } ? Body : never

export type User = z.infer<typeof UserSchema>
export type Session = z.infer<typeof SessionSchema>
export type Tokens = z.infer<typeof TokensSchema>
export type Merge = z.infer<typeof MergeSchema>
/** `{user, session}` (+ `tokens` in token transport). */
export type UserSession = z.infer<typeof UserSessionSchema>
/** `{user, session, merge}` (+ `tokens`): what every sign-in answers. */
export type SignIn = z.infer<typeof SignInSchema>
/** What a sign-in link is for, before anything is consumed. */
export type LinkPreview = z.infer<typeof LinkPreviewSchema>

export type Preferences = z.infer<typeof PreferencesSchema>
/** A JSON merge patch (RFC 7396): `null` deletes a key, objects merge. */
export type PreferencesPatch = z.input<typeof PreferencesPatchSchema>

export type SecretSummary = Answer<
  typeof secretRoutes,
  '/v1/me/secrets',
  '$get',
  200
>['secrets'][number]

export type DocumentsPage = Answer<typeof documentRoutes, '/v1/documents', '$get', 200>
export type DocumentSummary = DocumentsPage['documents'][number]
export type Document = Answer<typeof documentRoutes, '/v1/documents/:id', '$get', 200>['document']
export type NewDocument = JsonBody<typeof documentRoutes, '/v1/documents', '$post'>
export type DocumentChanges = JsonBody<typeof documentRoutes, '/v1/documents/:id', '$patch'>

export type OAuthServer = Answer<typeof oauthRoutes, '/v1/oauth', '$get', 200>['servers'][number]
export type OAuthTokens = z.infer<typeof OAuthTokensSchema>
export type OAuthClientInformation = z.infer<typeof OAuthClientSchema>
/** What `oauth.forget(serverId, scope)` removes. */
export type OAuthScope = NonNullable<
  RoutesOf<typeof oauthRoutes>['/v1/oauth/:serverId']['$delete']['input'] extends {
    query?: { scope?: infer Scope }
  }
    ? Scope
    : never
>

export type AuditEvent = Answer<typeof eventRoutes, '/v1/me/events', '$get', 200>['events'][number]
export type OutboxMessage = Answer<
  typeof devRoutes,
  '/v1/dev/outbox',
  '$get',
  200
>['messages'][number]
