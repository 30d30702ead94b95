import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createId } from '../../../src/platform/ids'
import { createRemoteOAuthProvider } from '../../../src/sdk/worker/remote-oauth-provider'
import {
  api,
  bearer,
  countRows,
  createStoredSession,
  createTokenSession,
  type TokenSession,
} from '../../helpers'
import * as authServer from '../../user-data/oauth-records/authorization-server'

// The provider speaks RPC to the SessionService entrypoint, as over another Worker's binding.
const service = exports.SessionService

function providerFor(userId: string, serverId: string) {
  const redirects: URL[] = []
  const provider = createRemoteOAuthProvider({
    service,
    userId,
    serverId,
    redirectUrl: authServer.REDIRECT_URL,
    clientMetadata: authServer.CLIENT_METADATA,
    redirectToAuthorization: (url) => {
      redirects.push(url)
    },
  })
  return { provider, redirects }
}

const getJson = async (s: TokenSession, path: string) => {
  const res = await api(path, { headers: bearer(s.accessToken) })
  return { status: res.status, body: await res.json<Record<string, unknown>>() }
}

describe('createRemoteOAuthProvider: the SDK’s auth() storing through the service over RPC', () => {
  it('is an OAuthClientProvider by the SDK’s own types', () => {
    const asSdk: OAuthClientProvider = providerFor(createId('anon'), 'types').provider
    expect(asSdk.redirectUrl).toBe(authServer.REDIRECT_URL)
  })

  it('registers, redirects with a stored state, exchanges the code, clears the verifier, refreshes', async () => {
    const server = authServer.createAuthorizationServer()
    const session = await createStoredSession()
    const { provider, redirects } = providerFor(session.userId, 'remote-mcp')

    expect(await auth(provider, { serverUrl: authServer.RESOURCE, fetchFn: server.fetch })).toBe(
      'REDIRECT',
    )
    const authorizationUrl = redirects[0]!
    const state = authorizationUrl.searchParams.get('state')
    expect(state).toMatch(/^[A-Za-z0-9_-]{32}$/)
    const stored = (await service.getOAuth(session.userId, 'remote-mcp'))!
    expect(stored.pending?.state).toBe(state)
    expect(await authServer.s256(stored.pending!.verifier)).toBe(
      authorizationUrl.searchParams.get('code_challenge'),
    )
    expect(stored.client).toMatchObject({ client_id: expect.stringMatching(/^client-/) })
    expect(stored.discovery).toMatchObject({
      authorizationServerUrl: authServer.ISSUER,
      authorizationServerMetadata: { token_endpoint: `${authServer.ISSUER}/token` },
    })
    const discovered = server.requests.length

    // The callback arrives in a later request: a new provider instance checks the state first.
    const callback = providerFor(session.userId, 'remote-mcp').provider
    expect(await callback.checkState(state)).toBe(true)
    expect(await callback.checkState(`${state}x`)).toBe(false)
    expect(await callback.checkState(null)).toBe(false)
    const code = server.approve(authorizationUrl)
    expect(
      await auth(callback, {
        serverUrl: authServer.RESOURCE,
        authorizationCode: code,
        fetchFn: server.fetch,
      }),
    ).toBe('AUTHORIZED')
    // A new instance in a later request: discovery came from the service, not the network.
    expect(server.requests.slice(discovered)).toEqual([`POST ${authServer.ISSUER}/token`])

    const tokens = await callback.tokens()
    expect(tokens).toMatchObject({
      access_token: expect.stringMatching(/^at-/),
      issuer: authServer.ISSUER,
    })
    // Stored for this user as the HTTP API serves it; the used verifier (and its state) are gone.
    expect(await getJson(session, '/v1/oauth/remote-mcp/tokens')).toEqual({
      status: 200,
      body: tokens,
    })
    expect((await getJson(session, '/v1/oauth/remote-mcp/verifier')).status).toBe(404)
    expect(await callback.checkState(state)).toBe(false)
    await expect(callback.codeVerifier()).rejects.toThrow(/verifier/)

    // With a refresh token in store, auth() refreshes without a redirect; the record follows.
    expect(await auth(callback, { serverUrl: authServer.RESOURCE, fetchFn: server.fetch })).toBe(
      'AUTHORIZED',
    )
    const refreshed = await callback.tokens()
    expect(refreshed?.access_token).not.toBe(tokens!.access_token)
    expect((await getJson(session, '/v1/oauth/remote-mcp/tokens')).body).toEqual(refreshed)
    expect(redirects).toHaveLength(1)
  })

  it('keeps each user’s records apart and forgets what the SDK invalidates', async () => {
    const a = await createStoredSession()
    const b = await createStoredSession()
    const tokens = { access_token: 'at-a', token_type: 'Bearer' }
    await providerFor(a.userId, 'shared').provider.saveTokens(tokens)
    expect(await providerFor(b.userId, 'shared').provider.tokens()).toBeUndefined()
    const provider = providerFor(a.userId, 'shared').provider
    expect(await provider.tokens()).toEqual(tokens)
    await provider.invalidateCredentials('tokens')
    expect(await provider.tokens()).toBeUndefined()
    const discovery = { authorizationServerUrl: 'https://as.example.com' }
    await provider.saveDiscoveryState(discovery)
    expect(await providerFor(b.userId, 'shared').provider.discoveryState()).toBeUndefined()
    expect(await providerFor(a.userId, 'shared').provider.discoveryState()).toEqual(discovery)
    await provider.invalidateCredentials('discovery')
    expect(await provider.discoveryState()).toBeUndefined()
  })

  it('stores for a first-time visitor whose session is only issued, making its user row', async () => {
    // Issued: nothing of it is stored yet (issue #12), yet a consumer may connect an MCP server.
    const s = await createTokenSession()
    expect(await countRows('select count(*) as n from users where id = ?', s.userId)).toBe(0)
    const tokens = { access_token: 'at', token_type: 'Bearer' }
    expect(await service.saveOAuthTokens(s.userId, 'first-visit', tokens)).toEqual({ ok: true })
    expect(await countRows('select count(*) as n from users where id = ?', s.userId)).toBe(1)
    expect((await service.getOAuth(s.userId, 'first-visit'))?.tokens).toEqual(tokens)
  })

  it('refuses bad arguments and users that do not exist, as answers, storing nothing', async () => {
    const s = await createStoredSession()
    const tokens = { access_token: 'at', token_type: 'Bearer' }
    const refusal = (code: string, message: RegExp) => ({
      ok: false,
      code,
      message: expect.stringMatching(message),
    })
    expect(await service.saveOAuthTokens(createId('usr'), 'x', tokens)).toEqual(
      refusal('not_found', /user/),
    )
    expect(await service.saveOAuthTokens(s.userId, 'a b', tokens)).toEqual(
      refusal('invalid_request', /serverId/),
    )
    expect(await service.saveOAuthTokens(s.userId, 'x', { token_type: 'B' } as never)).toEqual(
      refusal('invalid_request', /tokens/),
    )
    expect(
      await service.saveOAuthPending(s.userId, 'x', { verifier: 'short', state: null }),
    ).toEqual(refusal('invalid_request', /verifier/))
    expect(await service.clearOAuth(s.userId, 'x', 'everything' as never)).toEqual(
      refusal('invalid_request', /scope/),
    )
    expect(
      await service.saveOAuthDiscovery(s.userId, 'x', { authorizationServerUrl: 'not a url' }),
    ).toEqual(refusal('invalid_request', /authorizationServerUrl/))
    expect(await service.saveOAuthDiscovery(s.userId, 'x', null as never)).toEqual(
      refusal('invalid_request', /discovery/),
    )
    const huge = { authorizationServerUrl: 'https://as.example.com', pad: 'x'.repeat(17_000) }
    expect(await service.saveOAuthDiscovery(s.userId, 'x', huge)).toEqual(
      refusal('payload_too_large', /discovery state/),
    )
    expect(await service.getOAuth("usr_' or 1=1", 'x')).toBeNull()
    expect(await service.getOAuth(s.userId, 'x')).toEqual({
      tokens: null,
      client: null,
      pending: null,
      discovery: null,
    })
    // The provider turns a refusal into an error for the SDK's auth() to surface.
    const ghost = providerFor(createId('usr'), 'x').provider
    await expect(ghost.saveTokens(tokens)).rejects.toThrow(/not_found/)
  })
})
