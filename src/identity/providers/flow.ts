/**
 * A sign-in (or link) with a provider, from start to the signed-in session:
 * - start: the flow's secrets (PKCE verifier, nonce) go into the starting session's object and the
 *   browser goes to the provider with `state` naming that session;
 * - callback: `state` takes the pending flow (once); a browser must come back with the starting
 *   session's cookie (else it is a login CSRF: someone else's code in this browser); the code is
 *   exchanged and the identity verified; then the browser's session signs in through the one
 *   pipeline (`signIn`: merge once, rotate, audit), or a token client gets a one-time handoff code;
 * - exchange: the token client trades the handoff code and its PKCE verifier for tokens.
 */
import * as oauth from 'oauth4webapi'
import { AppError } from '../../platform/errors'
import { randomBytes, toBase64Url } from '../../platform/encoding'
import type { Runtime } from '../../platform/runtime'
import type { RequestMeta, UserContext } from '../../platform/shared-types'
import { readRevokedBefore } from '../../platform/db/control'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import { CODE } from '../../contract/error-codes'
import { requireRecentSignIn } from '../credentials/recent-sign-in'
import { holdsSession } from '../session-proof'
import {
  isSecondFactorPending,
  signIn,
  type SessionProof,
  type SignInAttempt,
  type SignInOutcome,
} from '../sign-in'
import { linkIdentity, resolveIdentityAccount } from './account-resolution'
import { callbackUri } from './protocols/callback-uri'
import {
  keepFlow,
  keepHandoff,
  takeFlow,
  takeHandoff,
  type Handoff,
  type PendingFlow,
} from './flow-state'
import type { FlowSecrets, ProviderIdentity } from './protocols/provider'
import { allowedRedirect, redirectWith } from './redirect-targets'
import { providerNamed } from './protocols/registry'

export interface StartRequest {
  redirectTo: string
  codeChallenge?: string | undefined
}

/** Starts a flow for the caller's session; the provider's authorization URL. */
export async function startProviderFlow(
  rt: Runtime,
  caller: UserContext,
  providerId: string,
  request: StartRequest,
  intent: PendingFlow['intent'],
  meta: RequestMeta,
): Promise<URL> {
  const provider = providerNamed(rt.settings, providerId)
  // Each start stores a pending flow in the session's object: the per-IP shield bounds them.
  await rt.limits.authPerIp(meta.ip ?? 'unknown')
  const redirectTo = allowedRedirect(rt.settings.REDIRECT_ORIGINS, request.redirectTo).toString()
  const now = Date.now()
  if (intent === 'link') {
    if (caller.isAnonymous) throw new AppError(403, CODE.account_required)
    await requireRecentSignIn(rt, caller.sessionId, now)
  }
  const flow: PendingFlow = {
    provider: provider.id,
    codeVerifier: oauth.generateRandomCodeVerifier(),
    nonce: toBase64Url(randomBytes(32)),
    redirectTo,
    codeChallenge: request.codeChallenge ?? null,
    intent,
  }
  const state = await keepFlow(rt, { sessionId: caller.sessionId, userId: caller.id }, flow, now)
  return provider.authorizationUrl(secretsOf(rt, flow, state))
}

/** Where the callback sends the browser, and the session it signed in (browsers only). */
export interface CallbackOutcome {
  location: string
  signedIn: SignInOutcome | null
}

export async function finishProviderCallback(
  rt: Runtime,
  providerId: string,
  params: URLSearchParams,
  cookieProof: SessionProof | null,
  meta: RequestMeta,
): Promise<CallbackOutcome> {
  const now = Date.now()
  const state = params.get('state') ?? ''
  const taken = await takeFlow(rt, state, now)
  if (!taken || taken.value.provider !== providerId)
    throw new AppError(400, CODE.invalid_oauth_state)
  const flow = taken.value
  const back = (query: Record<string, string>): CallbackOutcome => ({
    location: redirectWith(flow.redirectTo, query),
    signedIn: null,
  })
  const providerError = params.get('error')
  if (providerError)
    return back({ error: /^[a-z_]{1,64}$/.test(providerError) ? providerError : 'provider_error' })
  const browser = flow.codeChallenge === null
  if (browser && !(await provesSession(rt, cookieProof, taken.sessionId, now)))
    return back({ error: CODE.provider_session_mismatch })
  try {
    const provider = providerNamed(rt.settings, providerId)
    const identity = await provider.identify(secretsOf(rt, flow, state), params)
    if (flow.intent === 'link' && browser) {
      await linkIdentity(rt, taken.userId, identity, meta, now)
      return back({ linked: providerId })
    }
    if (!browser) {
      // Whoever finished at the provider may not be the client that started: a token client's
      // URL can be opened by anyone it reaches. Only the code with that client's verifier counts.
      const session = { sessionId: taken.sessionId, userId: taken.userId }
      const handoff = { identity, codeChallenge: flow.codeChallenge!, intent: flow.intent }
      const code = await keepHandoff(rt, session, handoff, now)
      return back(flow.intent === 'link' ? { link_code: code } : { code })
    }
    const signedIn = await signInWithIdentity(rt, identity, cookieProof, taken.sessionId, meta, now)
    // The account asks for its second factor: the challenge is bound to this browser's session
    // (its cookie proved it), so it is worth nothing without that cookie and a code.
    if (isSecondFactorPending(signedIn)) return back({ second_factor: signedIn.challenge })
    return { location: flow.redirectTo, signedIn }
  } catch (error) {
    // The browser goes back to the app with the reason; nothing else reaches it.
    if (error instanceof AppError) return back({ error: error.code })
    throw error
  }
}

/** A token client's handoff code and PKCE verifier for the sign-in they stand for. */
export async function exchangeHandoff(
  rt: Runtime,
  request: { code: string; codeVerifier: string },
  from: SessionProof | null,
  meta: RequestMeta,
): Promise<SignInAttempt> {
  const now = Date.now()
  await rt.limits.authPerIp(meta.ip ?? 'unknown')
  const taken = await takeVerifiedHandoff(rt, request, 'sign-in', now)
  return signInWithIdentity(rt, taken.value.identity, from, taken.sessionId, meta, now)
}

/**
 * A token client's link: its handoff code and PKCE verifier, traded by the account that started
 * the link. Answers the provider's id.
 */
export async function exchangeLinkHandoff(
  rt: Runtime,
  caller: UserContext,
  request: { code: string; codeVerifier: string },
  meta: RequestMeta,
): Promise<string> {
  const now = Date.now()
  await rt.limits.authPerIp(meta.ip ?? 'unknown')
  const taken = await takeVerifiedHandoff(rt, request, 'link', now)
  if (taken.userId !== caller.id) throw new AppError(400, CODE.invalid_handoff)
  await linkIdentity(rt, caller.id, taken.value.identity, meta, now)
  return taken.value.identity.provider
}

/** The handoff of `intent` whose PKCE challenge the verifier answers, used up; else 400. */
async function takeVerifiedHandoff(
  rt: Runtime,
  request: { code: string; codeVerifier: string },
  intent: Handoff['intent'],
  now: number,
) {
  const taken = await takeHandoff(rt, request.code, now)
  if (!taken || taken.value.intent !== intent) throw new AppError(400, CODE.invalid_handoff)
  const challenge = await oauth.calculatePKCECodeChallenge(request.codeVerifier)
  if (challenge !== taken.value.codeChallenge) throw new AppError(400, CODE.invalid_handoff)
  return taken
}

/**
 * The one sign-in pipeline, with the account the identity resolves to. Only a proof of the session
 * that started the flow signs that session in (and merges it); any other signs in beside it.
 */
async function signInWithIdentity(
  rt: Runtime,
  identity: ProviderIdentity,
  from: SessionProof | null,
  startedBy: string,
  meta: RequestMeta,
  now: number,
): Promise<SignInAttempt> {
  const resolved = await resolveIdentityAccount(rt, identity, meta, now)
  const proof = from?.sessionId === startedBy ? from : null
  const outcome = await signIn(rt, proof, { kind: 'account', ...resolved.claimed }, meta)
  await recordAuditEvent(
    rt.db,
    {
      type: 'identity.signed_in',
      userId: outcome.account.userId,
      sessionId: isSecondFactorPending(outcome) ? null : outcome.issued.view.sessionId,
      detail: { identityId: resolved.identity.id, provider: identity.provider },
    },
    meta,
    now,
  )
  return outcome
}

async function provesSession(
  rt: Runtime,
  proof: SessionProof | null,
  sessionId: string,
  now: number,
): Promise<boolean> {
  if (proof?.sessionId !== sessionId) return false
  return holdsSession(rt, proof, { now, revokedBefore: await readRevokedBefore(rt.db) })
}

function secretsOf(rt: Runtime, flow: PendingFlow, state: string): FlowSecrets {
  return {
    state,
    codeVerifier: flow.codeVerifier,
    nonce: flow.nonce,
    redirectUri: callbackUri(rt.settings, flow.provider),
  }
}
