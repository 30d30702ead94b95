/**
 * Bounded merges: an account that has reached a quota takes no further merge that would add to
 * it. The sign-in still succeeds, the anonymous user keeps its data, and the answer says why.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../../src/app'
import { createRuntime, limitBindingsOf } from '../../../src/platform/runtime'
import { createLimiters } from '../../../src/platform/limits/rate-limits'
import {
  BASE,
  bearer,
  countRows,
  jsonHeaders,
  readOutbox,
  TOKEN_TRANSPORT,
  type SignInBody,
  type TokenSession,
  uniqueEmail,
} from '../../helpers'

const LIMITS = { QUOTA_DOCUMENTS: 60, QUOTA_DOCUMENTS_ANON: 50 }

/** A sign-in answer whose merge may have been skipped. */
type Answer = SignInBody & {
  merge: (NonNullable<SignInBody['merge']> & { skipped?: string; quotas?: string[] }) | null
}

/** The Worker with the test's document quotas and no rate limits (many writes and sign-ins). */
async function quotaApp() {
  const rt = await createRuntime(env)
  const settings = { ...rt.settings, ...LIMITS }
  const app = await createApp({
    ...rt,
    settings,
    limits: createLimiters(limitBindingsOf(env), { ...settings, RATE_LIMITS: false }, rt.analytics),
  })
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(
      `${BASE}${path}`,
      { method: 'POST', headers: jsonHeaders(headers), body: JSON.stringify(body) },
      env,
    )

  /** An anonymous session holding `documents` documents. */
  async function anonymousWith(documents: number): Promise<TokenSession> {
    const res = await app.request(
      `${BASE}/v1/sessions/anonymous`,
      { method: 'POST', headers: TOKEN_TRANSPORT },
      env,
    )
    expect(res.status).toBe(201)
    const body = await res.json<SignInBody>()
    const s = { userId: body.user.id, sessionId: body.session.id, ...body.tokens }
    for (let i = 0; i < documents; i++) {
      const created = await post(
        '/v1/documents',
        { title: `d${i}`, content: 'x' },
        bearer(s.accessToken),
      )
      expect(created.status).toBe(201)
    }
    return s
  }

  /** Asks for a sign-in link from `s` (proven by its refresh token); returns the mailed token. */
  async function askForLink(s: TokenSession, email: string): Promise<string> {
    const body = { email, refreshToken: s.refreshToken }
    expect((await post('/v1/auth/magic-link', body, bearer(s.accessToken))).status).toBe(202)
    return (await readOutbox(email))[0]!.token
  }

  /** Opens the link in the session that asked for it, so that session's data may merge. */
  async function openLink(s: TokenSession, token: string): Promise<Answer> {
    const body = { token, refreshToken: s.refreshToken }
    const res = await post('/v1/auth/magic-link/verify', body, bearer(s.accessToken))
    expect(res.status).toBe(200)
    return res.json<Answer>()
  }

  const signInByLink = async (s: TokenSession, email: string) =>
    openLink(s, await askForLink(s, email))

  return { anonymousWith, askForLink, openLink, signInByLink }
}

const documentsOf = (userId: string) =>
  countRows('select count(*) as n from documents where user_id = ?', userId)

const mergedInto = async (userId: string) =>
  (await env.DB.prepare('select merged_into as m from users where id = ?')
    .bind(userId)
    .first<{ m: string | null }>())!.m

/** At most one anonymous user's worth past the account's limit, as the rule allows. */
const MOST_ALLOWED = LIMITS.QUOTA_DOCUMENTS - 1 + LIMITS.QUOTA_DOCUMENTS_ANON

describe('6. merges do not grow an account without bound', () => {
  it('skips the merge into an account that has reached its document quota; the sign-in succeeds', async () => {
    const { anonymousWith, signInByLink } = await quotaApp()
    const email = uniqueEmail()
    const visitors = [await anonymousWith(50), await anonymousWith(50), await anonymousWith(50)]
    const answers: Answer[] = []
    for (const visitor of visitors) answers.push(await signInByLink(visitor, email))
    const account = answers[0]!.user.id
    expect(answers.map((a) => a.user.id)).toEqual([account, account, account])

    expect(answers[0]!.merge).toMatchObject({ moved: { documents: 50 } })
    expect(answers[1]!.merge).toMatchObject({ moved: { documents: 50 } })
    expect(answers[1]!.merge).not.toHaveProperty('skipped')
    expect(answers[2]!.merge).toEqual({
      from: visitors[2]!.userId,
      into: account,
      moved: { documents: 0, preferences: 0, secrets: 0, oauth: 0 },
      conflicts: [],
      skipped: 'quota_exceeded',
      quotas: ['documents'],
    })
    expect(await documentsOf(account)).toBe(100)
    expect(await documentsOf(account)).toBeLessThanOrEqual(MOST_ALLOWED)
    // The third visitor's data stays with its anonymous user, which is not tombstoned.
    expect(await documentsOf(visitors[2]!.userId)).toBe(50)
    expect(await mergedInto(visitors[2]!.userId)).toBeNull()
    // Its session is the account's now, in the object and in the index.
    expect(answers[2]!.session.id).toBe(visitors[2]!.sessionId)
    expect(
      await countRows(
        'select count(*) as n from sessions where id = ? and user_id = ?',
        visitors[2]!.sessionId,
        account,
      ),
    ).toBe(1)

    // A visitor with nothing to add still merges (nothing grows).
    const empty = await anonymousWith(0)
    const last = await signInByLink(empty, email)
    expect(last.merge).not.toHaveProperty('skipped')
    expect(await mergedInto(empty.userId)).toBe(account)
  })

  it('holds the bound when three full anonymous sessions sign in to one account at once', async () => {
    const { anonymousWith, askForLink, openLink, signInByLink } = await quotaApp()
    const email = uniqueEmail()
    // The account exists (and is empty) before the race.
    const owner = await signInByLink(await anonymousWith(0), email)
    const visitors = [await anonymousWith(50), await anonymousWith(50), await anonymousWith(50)]
    const tokens: string[] = []
    for (const visitor of visitors) tokens.push(await askForLink(visitor, email))
    const answers = await Promise.all(visitors.map((v, i) => openLink(v, tokens[i]!)))
    const account = owner.user.id
    expect(answers.every((a) => a.user.id === account)).toBe(true)

    const skipped = answers.filter((a) => a.merge?.skipped === 'quota_exceeded')
    expect(skipped).toHaveLength(1)
    expect(await documentsOf(account)).toBe(100)
    expect(await documentsOf(account)).toBeLessThanOrEqual(MOST_ALLOWED)
    const left = skipped[0]!.merge!.from
    expect(await documentsOf(left)).toBe(50)
    expect(await mergedInto(left)).toBeNull()
    // Its data takes writes again: the merge's hold on it was lifted.
    expect(
      await countRows(
        'select count(*) as n from users where id = ? and merge_started_at is null',
        left,
      ),
    ).toBe(1)
  })
})
