// Another Worker's file, type-checked against the packed @edge-session/lib with workers-types,
// strict and exactOptionalPropertyTypes: the middleware, RPC over a service binding, the events.
import { auth } from '@modelcontextprotocol/sdk/client/auth.js'
import { Hono } from 'hono'
import {
  createRemoteOAuthProvider,
  handleSessionEvents,
  userContext,
  type SessionEvent,
  type SessionService,
  type UserContextEnv,
} from '@edge-session/lib'

interface Env {
  AUTH: Service<SessionService>
  NOTES: KVNamespace
}

const requireUser = userContext({
  jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
  issuer: 'https://auth.example.com',
  audience: 'https://app.example.com',
  mode: 'required',
  cookieName: undefined,
})

const app = new Hono<{ Bindings: Env } & UserContextEnv<true>>()
app.use('/api/*', requireUser)
app.get('/api/me', async (c) => {
  const token = c.req.header('Authorization')?.slice('Bearer '.length) ?? ''
  const live = await c.env.AUTH.verify(token, { fresh: true })
  if (!live) return c.json({ error: 'revoked' }, 401)
  const owner = await c.env.AUTH.resolveUser(c.var.user.id)
  return c.json({ user: c.var.user, owner: owner?.id ?? null, expires: live.exp })
})

app.get('/api/connect', async (c) => {
  const redirects: URL[] = []
  const provider = createRemoteOAuthProvider({
    service: c.env.AUTH,
    userId: c.var.user.id,
    serverId: 'linear',
    redirectUrl: 'https://app.example.com/oauth/callback',
    clientMetadata: {
      client_name: 'app',
      redirect_uris: ['https://app.example.com/oauth/callback'],
    },
    redirectToAuthorization: (url) => {
      redirects.push(url)
    },
    clientMetadataUrl: undefined,
  })
  const code = c.req.query('code')
  if (code !== undefined && !(await provider.checkState(c.req.query('state'))))
    return c.json({ error: 'state mismatch' }, 400)
  const serverUrl = 'https://mcp.example.com/mcp'
  const result = await auth(provider, code ? { serverUrl, authorizationCode: code } : { serverUrl })
  const to = redirects[0]
  return to ? c.redirect(to.href) : c.json({ result })
})

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    await handleSessionEvents(batch, {
      onMerged: async ({ from, into }) => {
        const note = await env.NOTES.get(from)
        if (note !== null) await env.NOTES.put(into, note)
        await env.NOTES.delete(from)
      },
      onErased: ({ userId }) => env.NOTES.delete(userId),
    })
  },
} satisfies ExportedHandler<Env, SessionEvent>
