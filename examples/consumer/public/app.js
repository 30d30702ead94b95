// A plain page using the browser SDK (sdk.js: packages/client's build, `npm run examples:sdk`).
// The Worker serving it proxies the service under /v1, so cookie transport works on one origin.
import { createSessionClient, SessionClientError } from './sdk.js'

const client = createSessionClient({ baseUrl: location.origin })
const $ = (id) => document.getElementById(id)
const log = (value) => ($('log').textContent = JSON.stringify(value, null, 2))

async function show() {
  const { user } = await client.me() // an anonymous user on the first visit
  $('who').textContent = `${user.id}${user.email ? ` (${user.email})` : ''}`
  const res = await fetch('/api/notes', { credentials: 'include' })
  $('note').value = (await res.json()).note ?? ''
}

$('save').addEventListener('click', async () => {
  const res = await fetch('/api/notes', { method: 'PUT', body: $('note').value })
  log({ saved: res.status })
})

$('signin').addEventListener('submit', async (event) => {
  event.preventDefault()
  try {
    const { merge } = await client.register({
      email: $('email').value,
      password: $('password').value,
    })
    log({ merge }) // the note moves when the user.merged event reaches the Worker's queue handler
    setTimeout(show, 1500)
  } catch (error) {
    if (error instanceof SessionClientError) log({ status: error.status, code: error.code })
    else throw error
  }
})

show().catch((error) => log({ error: String(error) }))
