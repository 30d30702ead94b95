/**
 * An app built on edge-session: notes per user, kept in this Worker's own KV. Identity comes from
 * the service (the middleware verifies its tokens), sensitive routes ask the session's object
 * (`verify(…, { fresh: true })`), notes follow a merge and vanish with an erase (the events
 * queue), and an MCP server's OAuth tokens are stored in the service per user.
 */
import { auth } from '@modelcontextprotocol/sdk/client/auth.js'
import {
  createRemoteOAuthProvider,
  handleSessionEvents,
  userContext,
  type SessionService,
  type UserContextEnv,
} from '@edge-session/lib'
import { Hono } from 'hono'
import { env } from 'cloudflare:workers'

interface Env {
  AUTH: Service<SessionService>
  AUTH_HTTP: Fetcher
  ASSETS: Fetcher
  NOTES: KVNamespace
  SERVICE_ISSUER: string
  SERVICE_AUDIENCE: string
  /** The MCP server this app connects its users to. */
  MCP_SERVER_URL: string
}

type AppEnv = { Bindings: Env } & UserContextEnv<true>

const app = new Hono<AppEnv>()

// The service's own routes, proxied: the page and its cookies stay on one origin.
app.all('/v1/*', (c) => c.env.AUTH_HTTP.fetch(c.req.raw))
app.get('/.well-known/jwks.json', (c) => c.env.AUTH_HTTP.fetch(c.req.raw))

// Built once, at module load (env from cloudflare:workers); the key set is fetched through the
// binding, so the URL only names it.
const bindings = env as unknown as Env
app.use(
  '/api/*',
  userContext({
    jwksUrl: 'http://localhost/.well-known/jwks.json',
    issuer: bindings.SERVICE_ISSUER,
    audience: bindings.SERVICE_AUDIENCE,
    mode: 'required',
    cookieName: 'access', // the service runs with COOKIE_SECURE=false locally
    fetch: (url, init) => bindings.AUTH_HTTP.fetch(url, init),
  }),
)

app.get('/api/notes', async (c) => c.json({ note: await c.env.NOTES.get(c.var.user.id) }))

app.put('/api/notes', async (c) => {
  await c.env.NOTES.put(c.var.user.id, await c.req.text())
  return c.body(null, 204)
})

// Deleting everything asks the session's object first: a revoked session fails here at once.
app.delete('/api/notes', async (c) => {
  const token = c.req.header('Authorization')?.replace(/^Bearer /, '') ?? ''
  if (!(await c.env.AUTH.verify(token, { fresh: true })))
    return c.json({ error: { code: 'session_revoked', message: 'Sign in again.' } }, 401)
  await c.env.NOTES.delete(c.var.user.id)
  return c.body(null, 204)
})

function mcpProvider(c: { env: Env; var: { user: { id: string } } }, origin: string) {
  const redirects: URL[] = []
  const provider = createRemoteOAuthProvider({
    service: c.env.AUTH,
    userId: c.var.user.id,
    serverId: 'example-mcp',
    redirectUrl: `${origin}/api/mcp/callback`,
    clientMetadata: {
      client_name: 'edge-session example',
      redirect_uris: [`${origin}/api/mcp/callback`],
    },
    redirectToAuthorization: (url) => {
      redirects.push(url)
    },
  })
  return { provider, redirects }
}

app.get('/api/mcp/connect', async (c) => {
  const { provider, redirects } = mcpProvider(c, new URL(c.req.url).origin)
  const result = await auth(provider, { serverUrl: c.env.MCP_SERVER_URL })
  const to = redirects[0]
  return to ? c.redirect(to.href) : c.json({ result })
})

app.get('/api/mcp/callback', async (c) => {
  const { provider } = mcpProvider(c, new URL(c.req.url).origin)
  const code = c.req.query('code')
  if (!code || !(await provider.checkState(c.req.query('state'))))
    return c.json({ error: { code: 'invalid_state', message: 'Start the connection again.' } }, 400)
  return c.json({
    result: await auth(provider, { serverUrl: c.env.MCP_SERVER_URL, authorizationCode: code }),
  })
})

export default {
  fetch: app.fetch,
  // At-least-once: moving a note twice, or deleting a missing one, changes nothing.
  async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    await handleSessionEvents(batch, {
      async onMerged({ from, into }) {
        const note = await env.NOTES.get(from)
        if (note !== null && (await env.NOTES.get(into)) === null) await env.NOTES.put(into, note)
        await env.NOTES.delete(from)
      },
      onErased: ({ userId }) => env.NOTES.delete(userId),
    })
  },
} satisfies ExportedHandler<Env>
