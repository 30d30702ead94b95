// Runs the packed SDK on Node (token transport, Node's own fetch) against the running service
// named by BASE_URL, and prints what it saw as one JSON line.
import { createMemoryTokenStore, createSessionClient } from '@edge-session/client'

const baseUrl = process.env.BASE_URL
const store = createMemoryTokenStore()
const client = createSessionClient({ baseUrl, transport: 'token', tokenStore: store })
const anonymous = await client.startAnonymous()
const before = (await store.load()).refreshToken
await client.refresh()
const rotated = (await store.load()).refreshToken !== before
const me = await client.me()
const email = `pack-${Date.now()}@example.com`
const password = 'a long enough passphrase 42'
const sent = await client.register({ email, password })
// The confirmation waits in the service's dev outbox (MAILER=outbox); its code signs this client in.
const [confirmation] = await client.dev.outbox(email)
const code = /\b([0-9A-Z]{4}-[0-9A-Z]{4})\b/.exec(confirmation.text)[1]
const registered = await client.confirmRegistrationCode(email, code)
await client.logout()
const other = createSessionClient({ baseUrl, transport: 'token' })
const login = await other.login({ email, password })
const after = await other.me()
console.log(
  JSON.stringify({
    anonymous: anonymous.user,
    rotated,
    me: me.user.id,
    sent,
    registered: { user: registered.user, merge: registered.merge },
    login: { user: login.user, merge: login.merge },
    after: after.user.id,
  }),
)
