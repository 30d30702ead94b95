/**
 * The short code mailed beside a sign-in link: its tries belong to the session that asked for the
 * link, proven by that session's refresh credential, and no burst of tries gets more than five.
 */
import { describe, expect, it } from 'vitest'
import { MAX_CODE_ATTEMPTS } from '../../../src/identity/magic-links/queries'
import {
  anonymousWithDocument,
  bearer,
  countRows,
  createTokenSession,
  expectError,
  jsonHeaders,
  mailedLinkCode,
  mailedLinkToken,
  postAuth,
  type SignInBody,
  type TokenSession,
  uniqueEmail,
  unlimitedApi,
} from '../../helpers'

const CODE_PATH = '/v1/auth/magic-link/code'

/** A session that asked for a link for a fresh email, with the code mailed beside it. */
async function askedForLink(from: TokenSession) {
  const email = uniqueEmail()
  await mailedLinkToken(email, from)
  return { email, code: await mailedLinkCode(email) }
}

/** A code that is not `code`, in the same shape. */
const wrongCode = (code: string, i: number) => {
  const guess = `${String(i).padStart(4, '0')}-${String(i).padStart(4, '0')}`
  return guess === code ? 'ZZZZ-ZZZZ' : guess
}

describe("2. a session id alone does not burn the owner's code", () => {
  it('refuses made-up secrets for the asking session without counting them, and the owner still signs in', async () => {
    const owner = await anonymousWithDocument()
    const { email, code } = await askedForLink(owner)
    // The attacker knows the session id (it is in every token).
    const forged = `${owner.sessionId}.${'A'.repeat(43)}`
    for (let i = 0; i < MAX_CODE_ATTEMPTS + 2; i++)
      await expectError(
        await postAuth(CODE_PATH, { email, code: wrongCode(code, i), refreshToken: forged }),
        401,
        'session_required',
      )
    expect(
      await countRows(
        'select coalesce(sum(code_attempts), 0) as n from magic_links where email = ?',
        email,
      ),
    ).toBe(0)
    const res = await postAuth(CODE_PATH, { email, code }, owner)
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.session.id).toBe(owner.sessionId)
    expect(body.merge).toMatchObject({ from: owner.userId, moved: { documents: 1 } })
  })
})

describe('3. the five-try limit on codes holds under a burst', () => {
  it('grants at most five tries to 30 parallel wrong codes and refuses the right one sent behind them', async () => {
    const fetchApp = await unlimitedApi()
    const owner = await createTokenSession()
    const { email, code } = await askedForLink(owner)
    const tryCode = (guess: string) =>
      fetchApp(CODE_PATH, {
        method: 'POST',
        headers: jsonHeaders(bearer(owner.accessToken)),
        body: JSON.stringify({ email, code: guess, refreshToken: owner.refreshToken }),
      })
    const burst = [...Array.from({ length: 30 }, (_, i) => wrongCode(code, i)), code]
    const answers = await Promise.all(burst.map(tryCode))
    for (const res of answers) await expectError(res, 400, 'invalid_or_expired_code')
    await expectError(await tryCode(code), 400, 'invalid_or_expired_code')
    expect(
      await countRows('select code_attempts as n from magic_links where email = ?', email),
    ).toBe(MAX_CODE_ATTEMPTS)
  })

  it('still accepts the right code as one of the five tries', async () => {
    const owner = await createTokenSession()
    const { email, code } = await askedForLink(owner)
    for (let i = 0; i < MAX_CODE_ATTEMPTS - 1; i++)
      await expectError(
        await postAuth(CODE_PATH, { email, code: wrongCode(code, i) }, owner),
        400,
        'invalid_or_expired_code',
      )
    expect((await postAuth(CODE_PATH, { email, code }, owner)).status).toBe(200)
  })
})
