// A real OpenID Provider (oidc-provider, certified) on loopback for the browser tests: discovery,
// JWKS, signed ID tokens and its own development login and consent pages, which Chromium fills
// in as a person would. Any login name is an account; its email is `<login>@oidc.example`,
// asserted as verified. Plain JavaScript for the same reason as harness.mjs.
import { createServer } from 'node:http'
import Provider from 'oidc-provider'
import { sparePort } from './harness.mjs'

export const OIDC_CLIENT = { clientId: 'edge-session-browser', clientSecret: 'browser-secret-1' }

/**
 * Listens at once (so that the service can be configured with the issuer's address), and serves
 * the provider from `allowCallbacksTo(origin)` on, when the service's callback origin is known.
 */
export async function startOidcIssuer() {
  const port = await sparePort()
  const issuer = `http://127.0.0.1:${port}`
  let handle = null
  const server = createServer((req, res) => {
    if (handle) return handle(req, res)
    res.writeHead(503).end('the issuer is not configured yet')
  })
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))

  function allowCallbacksTo(origin, providerIds) {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: OIDC_CLIENT.clientId,
          client_secret: OIDC_CLIENT.clientSecret,
          redirect_uris: providerIds.map((id) => `${origin}/v1/auth/providers/${id}/callback`),
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      // The ID token carries the email claims, as Google's does.
      conformIdTokenClaims: false,
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      features: { devInteractions: { enabled: true } },
      pkce: { required: () => true },
      findAccount: (_ctx, sub) => ({
        accountId: sub,
        claims: () => ({ sub, email: `${sub}@oidc.example`, email_verified: true, name: sub }),
      }),
    })
    // A failure inside the provider shows in the test output, not only on its error page.
    provider.on('server_error', (_ctx, error) => console.error('oidc-provider:', error))
    handle = provider.callback()
  }

  return {
    issuer,
    allowCallbacksTo,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  }
}

/**
 * `wrangler dev` arguments that configure the service with this issuer as generic OIDC providers,
 * its verified emails trusted as Google's are (a new account gets the email, proven).
 */
export function oidcProviderArgs(issuer, providers) {
  const settings = providers.map(({ id, name }) => ({
    id,
    name,
    issuer,
    ...OIDC_CLIENT,
    trustVerifiedEmail: true,
  }))
  return ['--var', `OIDC_PROVIDERS:${JSON.stringify(settings)}`]
}
