// The HTTP scenarios of `npm run bench` (run.mjs) and the helpers that prepare their requests.
//
// To add a scenario, append to `scenarios`: `setup(ctx)` returns one autocannon request (method,
// path, headers, body, setupRequest, onResponse) or `{ requests: [...] }`, and runs before each
// autocannon run (warm-up and measured) so that each starts from fresh state. A scenario whose
// requests use something up (one-time tokens) sets `amount`: its runs then make a fixed number of
// requests instead of running for a duration, and `ctx.amount` tells `setup` how many to prepare.
// load.mjs runs them; `target` is judged by `evaluateTargets` against the ceiling scenario.
import { randomBytes } from 'node:crypto'
import { SCALE_PASSWORD, scaleEmail } from './scale.mjs'
import { BASE_URL, JSON_POST, TOKEN_TRANSPORT } from './service.mjs'

const DOCUMENTS_PER_USER = 1_000
// Setup requests in flight at once while a pool of magic-link tokens is made.
const SETUP_CONCURRENCY = 10

export const scenarios = [
  {
    name: 'healthz',
    // The ceiling: routing and JSON with no auth and no storage.
    ceiling: true,
    setup: () => ({ method: 'GET', path: '/healthz' }),
  },
  {
    name: 'token-info',
    target: {
      text: 'req/s >= 85% of the ceiling',
      met: (result, ceiling) => result.rps >= 0.85 * ceiling.rps,
    },
    async setup(ctx) {
      const { tokens } = await ctx.createSession()
      return {
        method: 'GET',
        path: '/v1/auth/token-info',
        headers: { Authorization: `Bearer ${tokens.accessToken}` },
      }
    },
  },
  {
    name: 'anonymous',
    latencyAt: 40,
    target: { text: 'p99 < 50 ms at 40 req/s', met: (result) => result.fixedRate.p99 < 50 },
    setup: () => ({ method: 'POST', path: '/v1/sessions/anonymous', headers: TOKEN_TRANSPORT }),
  },
  {
    name: 'refresh',
    latencyAt: 40,
    target: { text: 'p99 < 50 ms at 40 req/s', met: (result) => result.fixedRate.p99 < 50 },
    setup: async (ctx) => chainedRefresh(await ctx.createSessions(ctx.connections)),
  },
  {
    name: 'login',
    // One PBKDF2 derivation per request dominates it: read its req/s against the PBKDF2 line too.
    async setup(ctx) {
      if (ctx.scale) return rotatingLogin(ctx.scale)
      // Always the right password, and one account per connection taken in turn: an account
      // allows five sign-ins in flight at once (each reserves a try until it succeeds), so ten
      // connections on one account would measure the back-off's 429s, not a login.
      const accounts = [await loginAccount()]
      while (accounts.length < ctx.connections)
        accounts.push(
          await registerAccount({
            email: `bench-login-${randomBytes(6).toString('hex')}@example.com`,
            password: accounts[0].password,
          }),
        )
      let next = 0
      return {
        method: 'POST',
        path: '/v1/auth/login',
        headers: JSON_POST,
        setupRequest(request) {
          const credentials = accounts[next++ % accounts.length]
          return { ...request, body: JSON.stringify(credentials) }
        },
      }
    },
  },
  {
    name: 'preferences PATCH',
    async setup(ctx) {
      const { tokens } = await ctx.createSession()
      return {
        method: 'PATCH',
        path: '/v1/me/preferences',
        headers: { ...JSON_POST, Authorization: `Bearer ${tokens.accessToken}` },
        body: JSON.stringify({ theme: 'dark', locale: 'en-GB', bench: { runs: 1 } }),
      }
    },
  },
  {
    name: 'documents list (1,000)',
    // One user with 1,000 documents, newest-first pages of 100: made once, used by both runs.
    setup: once(async (ctx) => {
      const { tokens } = await ctx.createSession()
      const auth = { Authorization: `Bearer ${tokens.accessToken}` }
      await createDocuments(auth, DOCUMENTS_PER_USER)
      return { method: 'GET', path: '/v1/documents?limit=100', headers: auth }
    }),
  },
  {
    name: 'magic-link verify',
    // Each token works once, so a run makes a fixed number of requests from a pool made for it.
    amount: 300,
    setup: async (ctx) =>
      magicLinkVerify(await createMagicLinkTokens(ctx.amount, ctx.scale?.nextMagicLinkEmail)),
  },
]

/** `setup` that runs once and hands the same request to the warm-up and the measured run. */
function once(setup) {
  let made
  return (ctx) => (made ??= setup(ctx))
}

/** Creates `count` documents for the bearer, ten at a time. */
async function createDocuments(auth, count) {
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) =>
      fetch(`${BASE_URL}/v1/documents`, {
        method: 'POST',
        headers: { ...JSON_POST, ...auth },
        body: JSON.stringify({ title: `Document ${i + j}`, content: 'x'.repeat(500) }),
        signal: AbortSignal.timeout(10_000),
      }),
    )
    for (const response of await Promise.all(batch)) {
      if (response.status !== 201)
        throw new Error(`creating a document answered ${response.status}`)
    }
  }
}

/**
 * Scale mode's login: every request signs into the next seeded account (all share one password),
 * so each pays its own email lookup, login_attempts read and session start, as many users would.
 */
function rotatingLogin(scale) {
  return {
    method: 'POST',
    path: '/v1/auth/login',
    headers: JSON_POST,
    setupRequest(request) {
      const email = scale.nextLoginEmail()
      return { ...request, body: JSON.stringify({ email, password: SCALE_PASSWORD }) }
    },
  }
}

/**
 * Where scale mode's scenarios take seeded emails: login from the first account up, magic links
 * from the last one down, so that no account is used twice until 10,000 requests have been made.
 */
export function scaleCursor(accounts) {
  let login = 0
  let magicLink = 0
  const used = { login: 0, magicLink: 0 }
  return {
    accounts,
    used,
    nextLoginEmail: () => (used.login++, scaleEmail((login++ % accounts) + 1)),
    nextMagicLinkEmail: () => (used.magicLink++, scaleEmail(accounts - (magicLink++ % accounts))),
  }
}

/**
 * The account every login run signs into; registered once, since registering again answers 409.
 * phases.mjs registers it before the scenarios and reads the PBKDF2 parameters from its stored hash.
 */
let loginCredentials
export function loginAccount() {
  loginCredentials ??= registerAccount({
    // Random, since the local database persists between runs and the email would already exist.
    email: `bench-login-${randomBytes(6).toString('hex')}@example.com`,
    password: randomBytes(18).toString('base64url'),
  })
  return loginCredentials
}

/**
 * An account made as a person makes one: registers from a new anonymous session (registration
 * needs the session that asks: its refresh token in the body), then confirms with the token
 * mailed to the local outbox, from that same session. Only the confirmation creates the account.
 */
export async function registerAccount(credentials) {
  const { tokens } = await createSession()
  const post = (path, body) =>
    fetch(`${BASE_URL}${path}`, {
      method: 'POST',
      headers: { ...JSON_POST, Authorization: `Bearer ${tokens.accessToken}` },
      body: JSON.stringify({ ...body, refreshToken: tokens.refreshToken }),
      signal: AbortSignal.timeout(10_000),
    })
  const registered = await post('/v1/auth/register', credentials)
  if (registered.status !== 202) {
    throw new Error(
      `registering an account answered ${registered.status}: ${await registered.text()}`,
    )
  }
  const token = await mailedToken(credentials.email)
  const confirmed = await post('/v1/auth/register/confirm', { token })
  if (confirmed.status !== 200) {
    throw new Error(`confirming an account answered ${confirmed.status}: ${await confirmed.text()}`)
  }
  return credentials
}

/**
 * Verify requests that each take a token nobody has used. `setupRequest` runs once per request
 * sent, so a pool as large as the run's `amount` lasts it.
 */
function magicLinkVerify(tokens) {
  return {
    method: 'POST',
    path: '/v1/auth/magic-link/verify',
    headers: JSON_POST,
    setupRequest(request) {
      // Empty only if requests were re-sent after errors: the request is then counted as a
      // non-2xx instead of crashing the run.
      return { ...request, body: JSON.stringify({ token: tokens.pop() ?? '' }) }
    },
  }
}

/**
 * `count` unused magic-link tokens, each for its own email (a fresh account on verify), read from
 * the local outbox. A few requests at a time, so that making the pool does not flood the server.
 */
async function createMagicLinkTokens(count, emailFor = freshEmail) {
  const tokens = []
  let next = 0
  async function worker() {
    while (next < count) {
      next++
      tokens.push(await createMagicLinkToken(emailFor()))
    }
  }
  await Promise.all(Array.from({ length: Math.min(SETUP_CONCURRENCY, count) }, worker))
  return tokens
}

// A fresh email per token, so that its outbox holds only this link (outboxes persist between runs)
// and each verify signs a new account in. In scale mode the emails are seeded accounts' instead,
// each used once per run, so the link is the newest message of its outbox and signs that account
// in.
const freshEmail = () => `bench-${randomBytes(8).toString('hex')}@example.com`

async function createMagicLinkToken(email) {
  const sent = await fetch(`${BASE_URL}/v1/auth/magic-link`, {
    method: 'POST',
    headers: JSON_POST,
    body: JSON.stringify({ email }),
    signal: AbortSignal.timeout(10_000),
  })
  if (sent.status !== 202) {
    throw new Error(`requesting a magic link answered ${sent.status}: ${await sent.text()}`)
  }
  return mailedToken(email)
}

/** The token of the newest mail in `email`'s local outbox (a sign-in link or a confirmation). */
async function mailedToken(email) {
  const outbox = await fetch(`${BASE_URL}/v1/dev/outbox?to=${encodeURIComponent(email)}`, {
    signal: AbortSignal.timeout(10_000),
  })
  const token = outbox.status === 200 ? (await outbox.json()).messages[0]?.token : undefined
  if (!token) throw new Error(`no mailed token in the outbox of ${email} (${outbox.status})`)
  return token
}

/**
 * Refresh requests that always present each session's latest refresh token, since presenting a
 * rotated one after the grace window counts as reuse and revokes the session.
 *
 * autocannon's per-connection `context` cannot carry the chain: with a single request in the list
 * it resets the context after every response. It does survive from `setupRequest` to that same
 * request's `onResponse`, so each request checks a session out of an idle pool and returns it with
 * the new token. With one session per connection (and no pipelining) a session always is idle,
 * and no session ever has two refreshes in flight.
 */
export function chainedRefresh(sessions) {
  const idle = sessions.map((session) => ({ refreshToken: session.tokens.refreshToken }))
  return {
    method: 'POST',
    path: '/v1/auth/refresh',
    headers: JSON_POST,
    setupRequest(request, context) {
      // Empty only if a connection dropped a response (its session is then lost): the request goes
      // out without a token and is counted as a non-2xx instead of crashing the run.
      context.session = idle.pop() ?? { refreshToken: '' }
      return { ...request, body: JSON.stringify({ refreshToken: context.session.refreshToken }) }
    },
    onResponse(status, body, context) {
      const { session } = context
      if (!session?.refreshToken) return
      if (status === 200) session.refreshToken = JSON.parse(body).tokens.refreshToken
      idle.push(session)
    },
  }
}

/** A new anonymous session with token transport: the starting point of most scenarios. */
export async function createSession() {
  const response = await fetch(`${BASE_URL}/v1/sessions/anonymous`, {
    method: 'POST',
    headers: TOKEN_TRANSPORT,
    signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 201) {
    throw new Error(`creating a session answered ${response.status}: ${await response.text()}`)
  }
  return response.json()
}

/** One login to a seeded account before anything is measured: the shared hash must verify. */
export async function checkScaleLogin(email) {
  const response = await fetch(`${BASE_URL}/v1/auth/login`, {
    method: 'POST',
    headers: JSON_POST,
    body: JSON.stringify({ email, password: SCALE_PASSWORD }),
    signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 200) {
    throw new Error(
      `logging in to seeded ${email} answered ${response.status}: ${await response.text()}`,
    )
  }
}

/** Each scenario's target, judged on its result (and the ceiling's, measured in the same run). */
export function evaluateTargets(results, ceiling) {
  return scenarios
    .filter((scenario) => scenario.target)
    .map((scenario) => {
      const result = results.find((r) => r.name === scenario.name)
      return {
        name: scenario.name,
        target: scenario.target.text,
        met: scenario.target.met(result, ceiling),
      }
    })
}
