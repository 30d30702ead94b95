// Another Worker's file, type-checked against the packed @edge-session/lib with workers-types,
// strict and exactOptionalPropertyTypes: the middleware, RPC over a service binding, the events.
import { Hono } from 'hono'
import {
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

const auth = userContext({
  jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
  issuer: 'https://auth.example.com',
  audience: 'https://app.example.com',
  mode: 'required',
  cookieName: undefined,
})

const app = new Hono<{ Bindings: Env } & UserContextEnv<true>>()
app.use('/api/*', auth)
app.get('/api/me', async (c) => {
  const token = c.req.header('Authorization')?.slice('Bearer '.length) ?? ''
  const live = await c.env.AUTH.verify(token, { fresh: true })
  if (!live) return c.json({ error: 'revoked' }, 401)
  const owner = await c.env.AUTH.resolveUser(c.var.user.id)
  return c.json({ user: c.var.user, owner: owner?.id ?? null, expires: live.exp })
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
