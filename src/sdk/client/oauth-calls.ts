/**
 * The SDK's calls for an MCP client's OAuth state (tokens, client information, PKCE verifier per
 * server), kept apart from the session calls in session-client.ts.
 */
import type { Requester } from './requester'
import type { OAuthClientInformation, OAuthScope, OAuthServer, OAuthTokens } from './types'

const segment = (value: string) => encodeURIComponent(value)

/** `client.oauth`: one method per call of the `/v1/oauth` routes. */
export function createOAuthCalls(call: Requester['call']) {
  return {
    list: async () =>
      (await call<{ servers: OAuthServer[] }>({ method: 'GET', path: '/v1/oauth' })).servers,
    getTokens: (serverId: string) =>
      call<OAuthTokens>({ method: 'GET', path: `/v1/oauth/${segment(serverId)}/tokens` }),
    putTokens: (serverId: string, tokens: OAuthTokens) =>
      call<void>({ method: 'PUT', path: `/v1/oauth/${segment(serverId)}/tokens`, body: tokens }),
    getClient: (serverId: string) =>
      call<OAuthClientInformation>({
        method: 'GET',
        path: `/v1/oauth/${segment(serverId)}/client`,
      }),
    putClient: (serverId: string, client: OAuthClientInformation) =>
      call<void>({ method: 'PUT', path: `/v1/oauth/${segment(serverId)}/client`, body: client }),
    getVerifier: async (serverId: string) =>
      (
        await call<{ verifier: string }>({
          method: 'GET',
          path: `/v1/oauth/${segment(serverId)}/verifier`,
        })
      ).verifier,
    putVerifier: (serverId: string, verifier: string) =>
      call<void>({
        method: 'PUT',
        path: `/v1/oauth/${segment(serverId)}/verifier`,
        body: { verifier },
      }),
    /** Forgets some (`scope`) or all of one server's state. */
    forget: (serverId: string, scope: OAuthScope = 'all') =>
      call<void>({ method: 'DELETE', path: `/v1/oauth/${segment(serverId)}`, query: { scope } }),
    /** Forgets every server's state. */
    forgetAll: () => call<void>({ method: 'DELETE', path: '/v1/oauth' }),
  }
}
