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

/** Runs `action`, showing the service's error code instead of throwing it. */
async function attempt(action) {
  try {
    await action()
  } catch (error) {
    if (error instanceof SessionClientError) log({ status: error.status, code: error.code })
    else throw error
  }
}

$('signin').addEventListener('submit', (event) => {
  event.preventDefault()
  attempt(async () => {
    // Nothing exists yet: this session stays anonymous until the mailed code comes back.
    await client.register({ email: $('email').value, password: $('password').value })
    log({ sent: true, next: 'type the code from the email' })
    $('confirm').hidden = false
  })
})

$('confirm').addEventListener('submit', (event) => {
  event.preventDefault()
  attempt(async () => {
    const { merge } = await client.confirmRegistrationCode($('email').value, $('code').value)
    log({ merge }) // the note moves when the user.merged event reaches the Worker's queue handler
    setTimeout(show, 1500)
  })
})

show().catch((error) => log({ error: String(error) }))
