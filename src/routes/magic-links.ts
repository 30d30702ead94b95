/** Magic links: request one, a page whose button verifies it, and the verification itself. */
import { createRoute, z } from '@hono/zod-openapi'
import { html } from 'hono/html'
import { userContext } from '../auth/user-context'
import { randomBytes, toBase64Url } from '../encoding'
import { requestMeta } from '../http/request-meta'
import { createRouter } from '../http/router'
import { EmailSchema, errorResponses, jsonContent, SignInSchema } from '../schemas'
import { MAGIC_LINK_PATH, requestMagicLink, verifyMagicLink } from '../services/magic-links'
import { signInAnswer } from './accounts'
import { OPTIONAL_USER_ACCESS, PUBLIC_ACCESS } from '../openapi/components'

export const magicLinkRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: MAGIC_LINK_PATH,
      operationId: 'requestMagicLink',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary: 'Email a sign-in link; the answer is the same for every email',
      middleware: [userContext({ mode: 'optional' })] as const,
      request: {
        body: {
          content: { 'application/json': { schema: z.object({ email: EmailSchema }) } },
          required: true,
        },
      },
      responses: {
        202: jsonContent(z.object({ sent: z.literal(true) }), 'Accepted'),
        ...errorResponses(400, 413, 429),
      },
    }),
    async (c) => {
      const { email } = c.req.valid('json')
      await requestMagicLink(c.var.rt, email, c.var.user, new URL(c.req.url).origin, requestMeta(c))
      return c.json({ sent: true as const }, 202)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: MAGIC_LINK_PATH,
      operationId: 'showMagicLinkPage',
      security: PUBLIC_ACCESS,
      tags: ['Accounts'],
      summary: 'The page a sign-in link opens: one button that verifies it. Consumes nothing.',
      request: { query: z.object({ token: z.string().max(256).optional() }) },
      responses: {
        200: { description: 'An HTML page', content: { 'text/html': { schema: z.string() } } },
        ...errorResponses(400),
      },
    }),
    (c) => {
      // The script reads the token from the address bar itself, so nothing from the URL is ever
      // written into the page; the nonce lets only this script run.
      const nonce = toBase64Url(randomBytes(16))
      c.header(
        'Content-Security-Policy',
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      )
      c.header('Referrer-Policy', 'no-referrer')
      c.header('Cache-Control', 'no-store')
      return c.html(magicLinkPage(nonce), 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: `${MAGIC_LINK_PATH}/verify`,
      operationId: 'verifyMagicLink',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary: 'Use a sign-in link; from an anonymous session, its data merges into the account',
      middleware: [userContext({ mode: 'optional' })] as const,
      request: {
        body: {
          content: {
            'application/json': { schema: z.object({ token: z.string().min(1).max(256) }) },
          },
          required: true,
        },
      },
      responses: { 200: jsonContent(SignInSchema, 'Signed in'), ...errorResponses(400, 413) },
    }),
    async (c) => {
      const outcome = await verifyMagicLink(
        c.var.rt,
        c.req.valid('json').token,
        c.var.user,
        requestMeta(c),
      )
      return c.json(signInAnswer(c, outcome), 200)
    },
  )

function magicLinkPage(nonce: string) {
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
        <h1>Sign in</h1>
        <p id="status">Press the button to finish signing in on this device.</p>
        <button id="go" type="button">Sign me in</button>
        <script nonce="${nonce}">
          const token = new URLSearchParams(location.search).get('token') ?? ''
          history.replaceState(null, '', location.pathname)
          const status = document.getElementById('status')
          document.getElementById('go').addEventListener('click', async (event) => {
            event.target.disabled = true
            status.textContent = 'Signing in…'
            const res = await fetch('${MAGIC_LINK_PATH}/verify', {
              method: 'POST',
              credentials: 'same-origin',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ token }),
            })
            const body = await res.json().catch(() => ({}))
            status.textContent = res.ok
              ? 'You are signed in. You can close this page.'
              : (body.error?.message ?? 'Sign-in failed.')
          })
        </script>
      </body>
    </html>`
}
