// The demo page's script (served as /demo/app.js): drives the browser SDK, served beside it as
// /demo/client.js, over cookie transport. Everything it shows is written with textContent, never
// as HTML, because titles, emails and preference values come from users.
import {
  createSessionClient,
  providerReturnError,
  SecondFactorRequiredError,
  SessionClientError,
} from './client.js'

const client = createSessionClient({ baseUrl: location.origin })

const $ = (id) => document.getElementById(id)

/** One element with text and optional attributes; nothing is parsed as HTML. */
function el(tag, text, attributes = {}) {
  const node = document.createElement(tag)
  if (text !== undefined) node.textContent = text
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  return node
}

/** A first factor was right and the account asks for its second: show the code form. */
function askSecondFactor() {
  $('factor-form').hidden = false
  $('login-status').textContent =
    'This account has an authenticator app: type the code it shows (or a recovery code).'
  $('factor-code').focus()
}

function showError(error) {
  if (error instanceof SecondFactorRequiredError) return askSecondFactor()
  const box = $('error')
  box.replaceChildren()
  if (error instanceof SessionClientError) {
    box.append(el('code', error.code), ` (HTTP ${error.status}): ${error.message}`)
  } else {
    box.textContent = String(error)
  }
  box.hidden = false
}

/** Runs one user action: marks the page busy (the browser tests wait on it), shows any error. */
async function act(action) {
  document.body.dataset.state = 'busy'
  $('error').hidden = true
  try {
    await action()
  } catch (error) {
    showError(error)
  } finally {
    document.body.dataset.state = 'ready'
  }
}

function renderUser({ user, session }) {
  $('user-id').textContent = user.id
  $('user-kind').textContent = user.isAnonymous ? 'anonymous' : 'account'
  $('user-kind').className = user.isAnonymous ? 'badge anon' : 'badge account'
  $('user-email').textContent = user.email ?? '—'
  $('session-id').textContent = session.id
  $('session-expires').textContent = new Date(session.expiresAt).toLocaleString()
}

function renderPreferences(preferences) {
  $('preferences').textContent = JSON.stringify(preferences, null, 2)
  if (typeof preferences.theme === 'string') $('theme').value = preferences.theme
}

function renderDocuments({ documents }) {
  const list = $('documents')
  list.replaceChildren(
    ...documents.map((d) => {
      const item = el('li', undefined, { 'data-id': d.id })
      item.append(el('strong', d.title), ' ', el('small', d.id))
      return item
    }),
  )
  if (!documents.length) list.append(el('li', 'No documents yet.', { class: 'muted' }))
}

function renderSessions(sessions) {
  const list = $('sessions')
  list.replaceChildren(
    ...sessions.map((s) => {
      const item = el('li', undefined, { 'data-id': s.id })
      item.append(el('code', s.id), ` last seen ${new Date(s.lastSeenAt).toLocaleTimeString()} `)
      if (s.current) item.append(el('span', 'this tab', { class: 'badge' }))
      else {
        const revoke = el('button', 'Revoke', { type: 'button' })
        revoke.addEventListener('click', () =>
          act(async () => {
            await client.revokeSession(s.id)
            await load()
          }),
        )
        item.append(revoke)
      }
      return item
    }),
  )
}

function renderMerge(merge) {
  $('merge-section').hidden = false
  $('merge').textContent = merge
    ? JSON.stringify(merge, null, 2)
    : 'Nothing to merge: this session was not anonymous.'
}

/** This page's address without a provider's return parameters: where a provider sends you back. */
function pageUrl() {
  const url = new URL(location.href)
  for (const name of ['error', 'code', 'state', 'linked']) url.searchParams.delete(name)
  return url.href
}

/** A button per configured provider: sign in while anonymous, link once signed in. */
function renderProviders({ providers }, user) {
  $('providers-section').hidden = providers.length === 0
  $('providers').replaceChildren(
    ...providers.map((p) => {
      const label = user.isAnonymous ? `Continue with ${p.name}` : `Link ${p.name}`
      const button = el('button', label, { type: 'button', 'data-provider': p.id })
      button.addEventListener('click', () =>
        act(() =>
          user.isAnonymous
            ? client.signInWith(p.id, { redirectTo: pageUrl() })
            : client.linkIdentity(p.id, { redirectTo: pageUrl() }),
        ),
      )
      return button
    }),
  )
}

function renderIdentities(identities) {
  $('identities').replaceChildren(
    ...identities.map((identity) => {
      const item = el('li', undefined, { 'data-id': identity.id })
      item.append(el('strong', identity.provider), ` ${identity.email ?? ''} `)
      const unlink = el('button', 'Unlink', { type: 'button' })
      unlink.addEventListener('click', () =>
        act(async () => {
          await client.unlinkIdentity(identity.id)
          await load()
        }),
      )
      item.append(unlink)
      return item
    }),
  )
}

/** A service older than provider sign-in has no identities to list. */
function withoutIdentityRoutes(error) {
  if (error instanceof SessionClientError && error.code === 'not_found') return []
  throw error
}

/** Who am I, then the data: me() first, because it is what starts a session on a first visit. */
async function load() {
  const { user, session } = await client.me()
  renderUser({ user, session })
  const [preferences, page, sessions, offered, identities] = await Promise.all([
    client.preferences.get(),
    client.documents.list({ limit: 10 }),
    client.sessions(),
    client.providers(),
    user.isAnonymous ? [] : client.identities().catch(withoutIdentityRoutes),
  ])
  renderPreferences(preferences)
  renderDocuments(page)
  renderSessions(sessions)
  renderProviders(offered, user)
  renderIdentities(identities)
}

function onSubmit(formId, handler) {
  $(formId).addEventListener('submit', (event) => {
    event.preventDefault()
    act(handler)
  })
}

onSubmit('theme-form', async () => {
  renderPreferences(await client.preferences.patch({ theme: $('theme').value }))
})

onSubmit('document-form', async () => {
  await client.documents.create({ title: $('doc-title').value, content: $('doc-content').value })
  $('doc-title').value = ''
  $('doc-content').value = ''
  renderDocuments(await client.documents.list({ limit: 10 }))
})

onSubmit('link-form', async () => {
  const email = $('email').value
  await client.requestMagicLink(email)
  $('link-status').textContent =
    `A sign-in link was mailed to ${email}. In local development it waits in the dev outbox.`
  $('sign-in').disabled = false
})

$('sign-in').addEventListener('click', () =>
  act(async () => {
    const [message] = await client.dev.outbox($('email').value)
    if (!message?.token) throw new Error('The outbox has no link for this email yet.')
    const { merge } = await client.verifyMagicLink(message.token)
    renderMerge(merge)
    $('link-status').textContent = 'Signed in with the link from the outbox.'
    $('sign-in').disabled = true
    await load()
  }),
)

onSubmit('register-form', async () => {
  const email = $('reg-email').value
  await client.register({ email, password: $('reg-password').value })
  // The same answer whether or not the address has an account: no one learns which do.
  $('register-status').textContent =
    `A confirmation was mailed to ${email}. Type its code here, in this browser, to keep your ` +
    `password and what you made. In local development it waits in the dev outbox.`
  $('confirm-form').hidden = false
})

$('fill-code').addEventListener('click', () =>
  act(async () => {
    const [message] = await client.dev.outbox($('reg-email').value)
    const code = /\b([0-9A-Z]{4}-[0-9A-Z]{4})\b/.exec(message?.text ?? '')?.[1]
    if (!code) throw new Error('The outbox has no confirmation for this email yet.')
    $('reg-code').value = code
  }),
)

onSubmit('confirm-form', async () => {
  const { merge } = await client.confirmRegistrationCode($('reg-email').value, $('reg-code').value)
  renderMerge(merge)
  $('register-status').textContent = 'Your account is confirmed and you are signed in.'
  $('confirm-form').hidden = true
  await load()
})

$('passkey-sign-up').addEventListener('click', () =>
  act(async () => {
    const { merge } = await client.passkeys.signUp()
    renderMerge(merge)
    $('passkey-status').textContent = 'Account created with a passkey alone.'
    await load()
  }),
)

$('passkey-sign-in').addEventListener('click', () =>
  act(async () => {
    const { merge } = await client.signInWithPasskey()
    renderMerge(merge)
    $('passkey-status').textContent = 'Signed in with a passkey.'
    await load()
  }),
)

onSubmit('password-form', async () => {
  const { merge } = await client.login({
    email: $('login-email').value,
    password: $('login-password').value,
  })
  renderMerge(merge)
  $('login-status').textContent = 'Signed in with the password.'
  await load()
})

onSubmit('factor-form', async () => {
  const typed = $('factor-code').value.trim()
  // Six digits come from the app; anything else is one of the recovery codes.
  const proof = /^\d{6}$/.test(typed) ? { code: typed } : { recoveryCode: typed }
  const { merge } = await client.mfa.verify(proof)
  renderMerge(merge)
  $('factor-form').hidden = true
  $('factor-code').value = ''
  $('login-status').textContent = 'Signed in with the password and the second factor.'
  await load()
})

$('enrol-totp').addEventListener('click', () =>
  act(async () => {
    const { qrCode, secret } = await client.mfa.enrolTotp()
    $('totp-qr').src = qrCode
    $('totp-qr').hidden = false
    $('totp-secret').textContent = `Scan it, or type this key: ${secret}`
    $('totp-confirm-form').hidden = false
  }),
)

onSubmit('totp-confirm-form', async () => {
  const codes = await client.mfa.confirmTotp($('totp-code').value.trim())
  $('totp-confirm-form').hidden = true
  $('totp-qr').hidden = true
  $('totp-secret').textContent =
    'Sign-ins now ask for the app’s code. Keep these recovery codes: they are shown once.'
  $('recovery-codes').replaceChildren(...codes.map((code) => el('li', code)))
})

$('logout').addEventListener('click', () =>
  act(async () => {
    await client.logout()
    await load()
  }),
)

$('logout-all').addEventListener('click', () =>
  act(async () => {
    await client.logoutAll()
    await load()
  }),
)

// A sign-in or new anonymous user in another tab of this browser shows here too. A sign-out
// elsewhere waits for that tab's new anonymous user: loading now would start a second one.
client.subscribe((change) => {
  if (change.remote && change.type !== 'signed_out') void act(load)
})

// Back from a provider: a refusal arrives as ?error=<code>; it leaves the address bar once shown.
const refused = providerReturnError(location.href)
if (refused) history.replaceState(null, '', pageUrl())
act(async () => {
  await load()
  if (refused) throw refused
})
