import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import type {
  OAuthClientInformationMixed,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { AppError } from '../../../src/platform/errors'
import {
  StoredOAuthClientProvider,
  type StoredOAuthClientProviderOptions,
} from '../../../src/user-data/oauth-records/mcp-client-provider'
import { api, bearer, createTokenSession, runtime, type TokenSession } from '../../helpers'
import {
  CLIENT_METADATA,
  createAuthorizationServer,
  ISSUER,
  REDIRECT_URL,
  RESOURCE,
  s256,
} from './authorization-server'

async function providerFor(
  serverId: string,
  overrides: Partial<StoredOAuthClientProviderOptions> = {},
) {
  const session = await createTokenSession()
  const redirects: URL[] = []
  const provider = new StoredOAuthClientProvider({
    store: await runtime(),
    userId: session.userId,
    serverId,
    redirectUrl: REDIRECT_URL,
    clientMetadata: CLIENT_METADATA,
    redirectToAuthorization: (url) => {
      redirects.push(url)
    },
    state: () => `state-${serverId}`,
    ...overrides,
  })
  return { session, provider, redirects }
}

const getJson = async (s: TokenSession, path: string) => {
  const res = await api(path, { headers: bearer(s.accessToken) })
  return { status: res.status, body: await res.json<Record<string, unknown>>() }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('StoredOAuthClientProvider', () => {
  it('is an OAuthClientProvider by the SDK’s own types', async () => {
    const { provider } = await providerFor('types')
    // Assignments the compiler checks against the installed SDK: an interface change breaks tsc.
    const asSdk: OAuthClientProvider = provider
    expectTypeOf(provider.tokens).returns.resolves.toEqualTypeOf<OAuthTokens | undefined>()
    expectTypeOf(provider.clientInformation).returns.resolves.toEqualTypeOf<
      OAuthClientInformationMixed | undefined
    >()
    expectTypeOf(provider.saveTokens).parameter(0).toEqualTypeOf<OAuthTokens>()
    expectTypeOf(provider.invalidateCredentials)
      .parameter(0)
      .toEqualTypeOf<Parameters<NonNullable<OAuthClientProvider['invalidateCredentials']>>[0]>()
    expect(asSdk.redirectUrl).toBe(REDIRECT_URL)
    expect(asSdk.clientMetadata).toEqual(CLIENT_METADATA)
    expect(await asSdk.state?.()).toBe('state-types')
    expect(asSdk.clientMetadataUrl).toBeUndefined()
  })

  it('saves and loads tokens, client information and the verifier through the store', async () => {
    const { session, provider } = await providerFor('direct')
    expect(await provider.tokens()).toBeUndefined()
    expect(await provider.clientInformation()).toBeUndefined()
    await expect(provider.codeVerifier()).rejects.toThrow(AppError)

    const tokens: OAuthTokens = { access_token: 'at', token_type: 'Bearer', refresh_token: 'rt' }
    const client: OAuthClientInformationMixed = { client_id: 'cid', issuer: ISSUER }
    await provider.saveTokens(tokens)
    await provider.saveClientInformation(client)
    await provider.saveCodeVerifier('v'.repeat(43))
    expect(await provider.tokens()).toEqual(tokens)
    expect(await provider.clientInformation()).toEqual(client)
    expect(await provider.codeVerifier()).toBe('v'.repeat(43))
    expect((await getJson(session, '/v1/oauth/direct/tokens')).body).toEqual(tokens)

    const discovery = { authorizationServerUrl: ISSUER, resourceMetadataUrl: `${ISSUER}/.wk` }
    expect(await provider.discoveryState()).toBeUndefined()
    await provider.saveDiscoveryState(discovery)
    expect(await provider.discoveryState()).toEqual(discovery)
    await provider.invalidateCredentials('discovery')
    expect(await provider.discoveryState()).toBeUndefined()
    expect(await provider.tokens()).toEqual(tokens)
    await provider.invalidateCredentials('tokens')
    expect(await provider.tokens()).toBeUndefined()
    expect(await provider.clientInformation()).toEqual(client)
    await provider.invalidateCredentials('verifier')
    await expect(provider.codeVerifier()).rejects.toThrow(/verifier/)
    await provider.invalidateCredentials('client')
    expect(await provider.clientInformation()).toBeUndefined()

    await provider.saveTokens(tokens)
    await provider.saveClientInformation(client)
    await provider.saveDiscoveryState(discovery)
    await provider.invalidateCredentials('all')
    expect(await provider.tokens()).toBeUndefined()
    expect(await provider.clientInformation()).toBeUndefined()
    expect(await provider.discoveryState()).toBeUndefined()
    expect((await getJson(session, '/v1/oauth')).body).toEqual({ servers: [] })
  })

  it('forgets the code verifier 10 minutes after it was saved', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = Date.now()
    vi.setSystemTime(start)
    const { provider } = await providerFor('expiring')
    await provider.saveCodeVerifier('v'.repeat(43))
    vi.setSystemTime(start + 10 * 60_000 - 1)
    expect(await provider.codeVerifier()).toBe('v'.repeat(43))
    vi.setSystemTime(start + 10 * 60_000)
    await expect(provider.codeVerifier()).rejects.toMatchObject({ status: 400 })
  })

  it('refuses a server id that does not match the pattern', async () => {
    const store = await runtime()
    for (const serverId of ['', 'a b', 'x'.repeat(129), '..'])
      expect(
        () =>
          new StoredOAuthClientProvider({
            store,
            userId: 'anon_x',
            serverId,
            redirectUrl: REDIRECT_URL,
            clientMetadata: CLIENT_METADATA,
            redirectToAuthorization: () => {},
          }),
      ).toThrow(/serverId/)
  })
})

describe('the SDK’s auth() against an authorization server, stored through the provider', () => {
  it('registers, redirects with a PKCE challenge, exchanges the code, then refreshes', async () => {
    const server = createAuthorizationServer()
    const { session, provider, redirects } = await providerFor('mcp-test')

    // 1. No client, no tokens: discovery, dynamic registration, then the redirect.
    expect(await auth(provider, { serverUrl: RESOURCE, fetchFn: server.fetch })).toBe('REDIRECT')
    expect(server.requests).toEqual([
      'GET https://mcp.test/.well-known/oauth-protected-resource/mcp',
      'GET https://as.test/.well-known/oauth-authorization-server',
      'POST https://as.test/register',
    ])
    expect(redirects).toHaveLength(1)
    const authorizationUrl = redirects[0]!
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${ISSUER}/authorize`)
    expect(authorizationUrl.searchParams.get('state')).toBe('state-mcp-test')
    expect(authorizationUrl.searchParams.get('resource')).toBe(RESOURCE)

    const client = await provider.clientInformation()
    expect(client).toMatchObject({ client_id: expect.stringMatching(/^client-/), issuer: ISSUER })
    expect(client?.client_secret).toMatch(/^secret-/)
    const verifier = await provider.codeVerifier()
    expect(await s256(verifier)).toBe(authorizationUrl.searchParams.get('code_challenge'))
    expect(await provider.tokens()).toBeUndefined()

    // 2. The user approves; the callback hands the code to auth(), which sends the stored verifier.
    const code = server.approve(authorizationUrl)
    expect(
      await auth(provider, { serverUrl: RESOURCE, authorizationCode: code, fetchFn: server.fetch }),
    ).toBe('AUTHORIZED')
    // The discovery state stored in step 1 spares both metadata documents.
    expect(server.requests.slice(3)).toEqual(['POST https://as.test/token'])
    expect(await provider.discoveryState()).toMatchObject({
      authorizationServerUrl: ISSUER,
      authorizationServerMetadata: { token_endpoint: `${ISSUER}/token` },
      resourceMetadata: { resource: RESOURCE },
    })
    const tokens = await provider.tokens()
    expect(tokens).toMatchObject({
      access_token: expect.stringMatching(/^at-/),
      refresh_token: expect.stringMatching(/^rt-/),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'mcp:tools',
      issuer: ISSUER,
    })

    // What the SDK stored is what the HTTP API serves, for this user.
    expect(await getJson(session, '/v1/oauth/mcp-test/tokens')).toEqual({
      status: 200,
      body: tokens,
    })
    expect(await getJson(session, '/v1/oauth/mcp-test/client')).toEqual({
      status: 200,
      body: client,
    })
    expect(await getJson(session, '/v1/oauth/mcp-test/verifier')).toEqual({
      status: 200,
      body: { verifier },
    })
    const row = await env.DB.prepare('select * from oauth_records where user_id = ?')
      .bind(session.userId)
      .first<Record<string, string>>()
    expect(JSON.stringify(row)).not.toContain(tokens!.access_token)
    expect(JSON.stringify(row)).not.toContain(client!.client_secret)

    // 3. A later auth() with a refresh token in store refreshes without a redirect.
    expect(await auth(provider, { serverUrl: RESOURCE, fetchFn: server.fetch })).toBe('AUTHORIZED')
    expect(redirects).toHaveLength(1)
    expect(server.requests.slice(4)).toEqual(['POST https://as.test/token'])
    const refreshed = await provider.tokens()
    expect(refreshed?.access_token).not.toBe(tokens!.access_token)
    expect(refreshed?.refresh_token).not.toBe(tokens!.refresh_token)
    expect((await getJson(session, '/v1/oauth/mcp-test/tokens')).body).toEqual(refreshed)
  })

  it('gets no tokens when the stored verifier does not match the challenge', async () => {
    const server = createAuthorizationServer()
    const { session, provider, redirects } = await providerFor('mcp-wrong-verifier')
    expect(await auth(provider, { serverUrl: RESOURCE, fetchFn: server.fetch })).toBe('REDIRECT')
    const code = server.approve(redirects[0]!)
    // Another flow's verifier replaces this one's between the redirect and the callback.
    const res = await api('/v1/oauth/mcp-wrong-verifier/verifier', {
      method: 'PUT',
      headers: { ...bearer(session.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ verifier: 'w'.repeat(43) }),
    })
    expect(res.status).toBe(204)
    await expect(
      auth(provider, { serverUrl: RESOURCE, authorizationCode: code, fetchFn: server.fetch }),
    ).rejects.toThrow()
    expect(await provider.tokens()).toBeUndefined()
    expect((await getJson(session, '/v1/oauth/mcp-wrong-verifier/tokens')).status).toBe(404)
  })
})
