/**
 * A real OpenID Provider (oidc-provider, certified) on 127.0.0.1 for the provider tests, started by
 * vitest's globalSetup in Node. The Worker under test reaches it over the loopback network as any
 * generic issuer: discovery, JWKS, token endpoint and signed ID tokens are oidc-provider's own.
 *
 * Two test-only additions, both outside the protocol the Worker speaks:
 * - the interaction (login and consent) finishes at once for the account named in `login_hint`
 *   (JSON of its claims), so a test can drive the authorization with plain fetches;
 * - `POST /__test/id-token` arranges for the ID token of a given nonce to be re-signed with the
 *   provider's own key and some claims changed (another audience, an expiry in the past), or with
 *   a key it never published (`signedByStranger`): what a misbehaving issuer or a forger would
 *   send, which oidc-provider will not do by itself.
 */
import { createServer } from 'node:http'
import { decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose'
import Provider from 'oidc-provider'

export const LOOPBACK_CLIENTS = [
  { providerId: 'loopback', clientId: 'edge-session-trusted', clientSecret: 'loopback-secret-1' },
  {
    providerId: 'loopback-untrusted',
    clientId: 'edge-session-untrusted',
    clientSecret: 'loopback-secret-2',
  },
]

/**
 * @param {number} port
 * @param {string} callbackOrigin the Worker's PUBLIC_ORIGIN, where the registered callbacks live
 */
export async function startLoopbackIssuer(port, callbackOrigin) {
  const issuer = `http://127.0.0.1:${port}`
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = { ...(await exportJWK(privateKey)), kid: 'loopback-1', alg: 'RS256', use: 'sig' }
  const signingKey = await importJWK(jwk, 'RS256')
  // A key the provider never published, under the published key's id: a forged signature.
  const { privateKey: strangerKey } = await generateKeyPair('RS256')
  /** @type {Map<string, Record<string, unknown>>} */
  const accounts = new Map()
  /** @type {Map<string, Record<string, unknown>>} */
  const idTokenChanges = new Map()

  const provider = new Provider(issuer, {
    clients: LOOPBACK_CLIENTS.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: [`${callbackOrigin}/v1/auth/providers/${c.providerId}/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    jwks: { keys: [jwk] },
    // The ID token carries the scope's claims (email, email_verified, name), as Google's does.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const claims = accounts.get(sub)
      return claims ? { accountId: sub, claims: () => claims } : undefined
    },
  })

  provider.use(async (ctx, next) => {
    if (ctx.path.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(ctx.req, ctx.res)
      const claims = JSON.parse(String(details.params.login_hint))
      accounts.set(claims.sub, claims)
      const grant = new provider.Grant({
        accountId: claims.sub,
        clientId: String(details.params.client_id),
      })
      grant.addOIDCScope(String(details.params.scope))
      const grantId = await grant.save()
      const returnTo = await provider.interactionResult(
        ctx.req,
        ctx.res,
        { login: { accountId: claims.sub }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      )
      ctx.status = 303
      ctx.redirect(returnTo)
      return
    }
    if (ctx.path === '/__test/id-token' && ctx.method === 'POST') {
      const body = JSON.parse(await readBody(ctx.req))
      idTokenChanges.set(body.nonce, body.claims)
      ctx.status = 204
      return
    }
    await next()
    const answer = ctx.body
    if (ctx.path === '/token' && answer?.id_token) {
      const claims = decodeJwt(answer.id_token)
      const changes = idTokenChanges.get(String(claims.nonce))
      if (changes) {
        const { signedByStranger, ...changed } = changes
        answer.id_token = await new SignJWT({ ...claims, ...changed })
          .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
          .sign(signedByStranger ? strangerKey : signingKey)
      }
    }
  })

  const server = createServer(provider.callback())
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    issuer,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  }
}

/** @param {import('node:http').IncomingMessage} req */
function readBody(req) {
  return new Promise((resolve, reject) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => (text += chunk))
    req.on('end', () => resolve(text))
    req.on('error', reject)
  })
}
