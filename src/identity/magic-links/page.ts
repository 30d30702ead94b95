/**
 * The page a mailed link opens. Its token rides in the fragment, which browsers never send, so
 * neither this server's logs nor any proxy's see it; the script reads it, drops it from the
 * address bar, asks which account the link is for, and names it before the person presses the
 * button. Nothing from the URL is written into the HTML, and a nonce lets only this script run.
 */
import { html } from 'hono/html'
import { MAGIC_LINK_PATH } from './magic-links'
import { REGISTER_PATH } from '../registration/registration'

export function magicLinkPageCsp(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`
}

export function magicLinkPage(nonce: string) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>Sign in</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            max-width: 28rem;
            margin: 4rem auto;
            padding: 0 1rem;
          }
          button {
            font: inherit;
            padding: 0.6rem 1.2rem;
          }
        </style>
      </head>
      <body>
        <h1 id="title">Sign in</h1>
        <p id="account"></p>
        <p id="status">Checking the link…</p>
        <button id="go" type="button" hidden>Sign me in</button>
        <script nonce="${nonce}">
          const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ''
          history.replaceState(null, '', location.pathname)
          const $ = (id) => document.getElementById(id)
          const post = (path, body) =>
            fetch(path, {
              method: 'POST',
              credentials: 'same-origin',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify(body),
            }).then(async (res) => ({ ok: res.ok, body: await res.json().catch(() => ({})) }))
          const fail = (body) => ($('status').textContent = body.error?.message ?? 'It failed.')
          post('${MAGIC_LINK_PATH}/preview', { token }).then(({ ok, body }) => {
            if (!ok) return fail(body)
            const confirm = body.purpose === 'register'
            $('title').textContent = confirm ? 'Confirm your email' : 'Sign in'
            $('account').textContent = confirm
              ? 'Create the account ' +
                body.email +
                (body.sameSession
                  ? ' with the password you chose.'
                  : ' and sign this browser in. If you did not ask for an account, close this page.')
              : 'Sign in as ' + body.email + '.'
            $('status').textContent = body.sameSession
              ? 'What you did in this browser before signing in comes with you.'
              : confirm
                ? 'This confirmation was asked for in another browser: the password chosen there is not kept here (set one once signed in), and what you did in this browser stays apart. To keep both, type the code from the email in the browser where you registered.'
                : 'This link was asked for in another browser: what you did in this browser stays apart. To bring the other browser’s work along, type the code from the email there.'
            $('go').textContent = confirm ? 'Confirm and sign in' : 'Sign me in'
            $('go').hidden = false
            $('go').addEventListener('click', async (event) => {
              event.target.disabled = true
              $('status').textContent = 'One moment…'
              const path = confirm ? '${REGISTER_PATH}/confirm' : '${MAGIC_LINK_PATH}/verify'
              const result = await post(path, { token })
              if (!result.ok) return fail(result.body)
              $('status').textContent = confirm
                ? 'Your account is ready and you are signed in. You can close this page.'
                : 'You are signed in. You can close this page.'
            })
          })
        </script>
      </body>
    </html>`
}
