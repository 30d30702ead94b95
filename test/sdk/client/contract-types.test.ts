/**
 * The SDK's types are written out by hand so its `.d.ts` stands alone; this file holds each one
 * equal to what the server's zod schemas and route definitions type. `npm run typecheck` fails on
 * any drift (the assertions are types; at run time they do nothing).
 */
import type { Hono } from 'hono'
import { describe, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import type * as Client from '../../../src/sdk/client/index'
import type { devRoutes } from '../../../src/site/dev-outbox-routes'
import type { documentRoutes } from '../../../src/user-data/documents/routes'
import type { eventRoutes } from '../../../src/events/routes'
import type { oauthRoutes } from '../../../src/user-data/oauth-records/routes'
import type {
  OAuthClientSchema,
  OAuthTokensSchema,
} from '../../../src/user-data/oauth-records/schemas'
import type { secretRoutes } from '../../../src/user-data/secrets/routes'
import type { identityRoutes } from '../../../src/identity/providers/identity-routes'
import type { providerRoutes } from '../../../src/identity/providers/routes'
import type { IdentitySchema } from '../../../src/identity/providers/schemas'
import type {
  ErrorSchema,
  MergeSchema,
  SessionSchema,
  SignInSchema,
  TokensSchema,
  UserSchema,
  UserSessionSchema,
} from '../../../src/platform/openapi/schemas'
import type {
  PreferencesPatchSchema,
  PreferencesSchema,
} from '../../../src/user-data/preferences/service'

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

type DeleteScope = NonNullable<
  RoutesOf<typeof oauthRoutes>['/v1/oauth/:serverId']['$delete']['input'] extends {
    query?: { scope?: infer Scope }
  }
    ? Scope
    : never
>

describe('the SDK types', () => {
  it('equal the schemas of the contract', () => {
    expectTypeOf<Client.User>().toEqualTypeOf<z.infer<typeof UserSchema>>()
    expectTypeOf<Client.Session>().toEqualTypeOf<z.infer<typeof SessionSchema>>()
    expectTypeOf<Client.Tokens>().toEqualTypeOf<z.infer<typeof TokensSchema>>()
    expectTypeOf<Client.Merge>().toEqualTypeOf<z.infer<typeof MergeSchema>>()
    expectTypeOf<Client.UserSession>().toEqualTypeOf<z.infer<typeof UserSessionSchema>>()
    expectTypeOf<Client.SignIn>().toEqualTypeOf<z.infer<typeof SignInSchema>>()
    expectTypeOf<Client.ErrorBody>().toEqualTypeOf<z.infer<typeof ErrorSchema>>()
    expectTypeOf<Client.Preferences>().toEqualTypeOf<z.infer<typeof PreferencesSchema>>()
    expectTypeOf<Client.PreferencesPatch>().toEqualTypeOf<z.input<typeof PreferencesPatchSchema>>()
    expectTypeOf<Client.OAuthTokens>().toEqualTypeOf<z.infer<typeof OAuthTokensSchema>>()
    expectTypeOf<Client.OAuthClientInformation>().toEqualTypeOf<z.infer<typeof OAuthClientSchema>>()
    expectTypeOf<Client.Identity>().toEqualTypeOf<z.infer<typeof IdentitySchema>>()
  })

  it('equal what the routes answer and take', () => {
    expectTypeOf<Client.SecretSummary>().toEqualTypeOf<
      Answer<typeof secretRoutes, '/v1/me/secrets', '$get', 200>['secrets'][number]
    >()
    expectTypeOf<Client.DocumentsPage>().toEqualTypeOf<
      Answer<typeof documentRoutes, '/v1/documents', '$get', 200>
    >()
    expectTypeOf<Client.Document>().toEqualTypeOf<
      Answer<typeof documentRoutes, '/v1/documents/:id', '$get', 200>['document']
    >()
    expectTypeOf<Client.NewDocument>().toEqualTypeOf<
      JsonBody<typeof documentRoutes, '/v1/documents', '$post'>
    >()
    expectTypeOf<Client.DocumentChanges>().toEqualTypeOf<
      JsonBody<typeof documentRoutes, '/v1/documents/:id', '$patch'>
    >()
    expectTypeOf<Client.OAuthServer>().toEqualTypeOf<
      Answer<typeof oauthRoutes, '/v1/oauth', '$get', 200>['servers'][number]
    >()
    expectTypeOf<Client.OAuthScope>().toEqualTypeOf<DeleteScope>()
    // Hono types a JSON detail loosely (any JSON value, or an object); the SDK says `unknown`.
    type ServerEvent = Answer<typeof eventRoutes, '/v1/me/events', '$get', 200>['events'][number]
    expectTypeOf<Omit<Client.AuditEvent, 'detail'>>().toEqualTypeOf<Omit<ServerEvent, 'detail'>>()
    expectTypeOf<ServerEvent>().toExtend<Client.AuditEvent>()
    expectTypeOf<Client.AuthProviders>().toEqualTypeOf<
      Answer<typeof providerRoutes, '/v1/auth/providers', '$get', 200>
    >()
    expectTypeOf<Client.Identity[]>().toEqualTypeOf<
      Answer<typeof identityRoutes, '/v1/me/identities', '$get', 200>['identities']
    >()
    expectTypeOf<Client.ProviderRedirect>().toExtend<
      Pick<
        Answer<typeof providerRoutes, '/v1/auth/providers/:id/start', '$post', 200>,
        'authorizationUrl'
      >
    >()
    expectTypeOf<Client.OutboxMessage>().toEqualTypeOf<
      Answer<typeof devRoutes, '/v1/dev/outbox', '$get', 200>['messages'][number]
    >()
  })
})
