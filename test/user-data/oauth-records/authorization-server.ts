/**
 * An in-test MCP resource server and OAuth authorization server for the SDK's `auth()`, shared by
 * the service's own provider test, the library's remote provider test and (served over loopback
 * HTTP) the example consumer's test under wrangler dev. Nothing leaves the test.
 */
import type { OAuthClientMetadata } from '@modelcontextprotocol/sdk/shared/auth.js'
import { Hono } from 'hono'
import { expect } from 'vitest'
import { toBase64Url } from '../../../src/platform/encoding'

export const RESOURCE = 'https://mcp.test/mcp'
export const ISSUER = 'https://as.test'
export const REDIRECT_URL = 'https://app.example.com/oauth/callback'
export const CLIENT_METADATA: OAuthClientMetadata = {
  client_name: 'edge-session',
  redirect_uris: [REDIRECT_URL],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
}

export const s256 = async (verifier: string) =>
  toBase64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  )
const random = () => toBase64Url(crypto.getRandomValues(new Uint8Array(16)))

/**
 * A small MCP resource server and OAuth authorization server: RFC 9728 protected resource
 * metadata, RFC 8414 server metadata, RFC 7591 registration, and a token endpoint for
 * authorization_code (with the RFC 7636 S256 check) and refresh_token grants. The test plays the
 * user at the authorization endpoint through `approve`.
 */
export function createAuthorizationServer({
  resource = RESOURCE,
  issuer = ISSUER,
}: { resource?: string; issuer?: string } = {}) {
  const resourcePath = new URL(resource).pathname
  const clients = new Map<string, { secret: string; redirectUris: string[] }>()
  const codes = new Map<
    string,
    { clientId: string; challenge: string; redirectUri: string; resource: string | null }
  >()
  const refreshTokens = new Map<string, string>()
  const requests: string[] = []

  const metadataPath = `/.well-known/oauth-protected-resource${resourcePath}`
  const resourceServer = new Hono().get(metadataPath, (c) =>
    c.json({ resource, authorization_servers: [issuer] }),
  )

  const tokenError = (error: string) => Response.json({ error }, { status: 400 })
  const issue = (clientId: string) => {
    const refresh = `rt-${random()}`
    refreshTokens.set(refresh, clientId)
    return Response.json({
      access_token: `at-${random()}`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: refresh,
      scope: 'mcp:tools',
    })
  }

  const authorizationServer = new Hono()
    .get('/.well-known/oauth-authorization-server', (c) =>
      c.json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        registration_endpoint: `${issuer}/register`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      }),
    )
    .post('/register', async (c) => {
      const metadata = await c.req.json<{ redirect_uris: string[] }>()
      const clientId = `client-${random()}`
      const secret = `secret-${random()}`
      clients.set(clientId, { secret, redirectUris: metadata.redirect_uris })
      return c.json(
        {
          ...metadata,
          client_id: clientId,
          client_secret: secret,
          client_id_issued_at: Math.floor(Date.now() / 1000),
          client_secret_expires_at: 0,
        },
        201,
      )
    })
    .post('/token', async (c) => {
      // Read as bytes: workerd warns when a form body is read with text().
      const form = new URLSearchParams(new TextDecoder().decode(await c.req.arrayBuffer()))
      const client = clients.get(form.get('client_id') ?? '')
      if (!client || client.secret !== form.get('client_secret'))
        return tokenError('invalid_client')
      if (form.get('grant_type') === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '')
        // Codes are single use, whatever the outcome.
        codes.delete(form.get('code') ?? '')
        if (!grant || grant.clientId !== form.get('client_id')) return tokenError('invalid_grant')
        if (grant.redirectUri !== form.get('redirect_uri')) return tokenError('invalid_grant')
        if (grant.resource !== form.get('resource')) return tokenError('invalid_target')
        if ((await s256(form.get('code_verifier') ?? '')) !== grant.challenge)
          return tokenError('invalid_grant')
        return issue(grant.clientId)
      }
      if (form.get('grant_type') === 'refresh_token') {
        const token = form.get('refresh_token') ?? ''
        if (refreshTokens.get(token) !== form.get('client_id')) return tokenError('invalid_grant')
        refreshTokens.delete(token)
        return issue(form.get('client_id')!)
      }
      return tokenError('unsupported_grant_type')
    })

  return {
    requests,
    /** Routes the SDK's requests to the two servers above; nothing leaves the test. */
    fetch: async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init)
      const url = new URL(request.url)
      requests.push(`${request.method} ${url.origin}${url.pathname}`)
      // By path first: both may share one loopback origin when served over HTTP.
      if (url.origin === new URL(resource).origin && url.pathname === metadataPath)
        return resourceServer.fetch(request)
      if (url.origin === new URL(issuer).origin) return authorizationServer.fetch(request)
      if (url.origin === new URL(resource).origin) return resourceServer.fetch(request)
      return new Response('unknown host', { status: 502 })
    },
    /** The user approves at the authorization endpoint: a code bound to the PKCE challenge. */
    approve(authorizationUrl: URL): string {
      const params = authorizationUrl.searchParams
      const clientId = params.get('client_id') ?? ''
      const redirectUri = params.get('redirect_uri') ?? ''
      expect(clients.get(clientId)?.redirectUris).toContain(redirectUri)
      expect(params.get('response_type')).toBe('code')
      expect(params.get('code_challenge_method')).toBe('S256')
      const code = `code-${random()}`
      codes.set(code, {
        clientId,
        challenge: params.get('code_challenge') ?? '',
        redirectUri,
        resource: params.get('resource'),
      })
      return code
    },
  }
}
