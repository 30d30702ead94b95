/**
 * Passkey ceremonies. Each proof ends where every sign-in method ends, in `signIn` with the
 * account as its target, from the session that asked for the challenge: an anonymous session
 * merges into the account exactly once, with the same report as a password or a link.
 */
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { AppError } from '../../platform/errors'
import { fromBase64Url, toBase64Url } from '../../platform/encoding'
import { findUser } from '../../platform/db/users'
import { createId } from '../../platform/ids'
import type { Runtime } from '../../platform/runtime'
import type { RequestMeta, UserContext } from '../../platform/shared-types'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import { CODE } from '../../contract/error-codes'
import { accountSubject } from '../accounts'
import { requireRecentSignIn } from '../credentials/recent-sign-in'
import { signInWithBothFactors, type SessionProof, type SignInOutcome } from '../sign-in'
import { keepChallenge, takeChallenge, type PasskeyCeremony } from './challenges'
import {
  findPasskeyByCredentialId,
  insertPasskey,
  insertPasskeyAccount,
  listPasskeys,
  recordPasskeyUse,
  type NewPasskey,
  type PasskeyRow,
} from './queries'
import {
  authenticationOptions,
  passkeyRejected,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
} from './relying-party'

/** Options for a passkey that creates a new account; the account's id is fixed now. */
export async function startSignUp(
  rt: Runtime,
  caller: UserContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const accountId = createId('usr')
  const options = await registrationOptions(rt.settings, { id: accountId, name: 'Passkey' }, [])
  await remember(rt, caller, 'passkey.sign-up', options.challenge, accountId)
  return options
}

/** Options for one more passkey on the signed-in account (a recent sign-in required). */
export async function startAdding(
  rt: Runtime,
  caller: UserContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const account = await requireAccount(rt, caller)
  await requireRecentSignIn(rt, caller.sessionId, Date.now())
  const existing = await listPasskeys(rt.db, account.id)
  const options = await registrationOptions(
    rt.settings,
    { id: account.id, name: account.email ?? 'Passkey' },
    existing.map((p) => ({ id: p.credentialId, transports: splitTransports(p.transports) })),
  )
  await remember(rt, caller, 'passkey.add', options.challenge, account.id)
  return options
}

/** Options for a sign-in with any passkey the browser holds for this relying party. */
export async function startSignIn(
  rt: Runtime,
  caller: UserContext,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await authenticationOptions(rt.settings)
  await remember(rt, caller, 'passkey.sign-in', options.challenge, caller.id)
  return options
}

export interface SignUpOutcome extends SignInOutcome {
  passkey: PasskeyRow
}

/**
 * Creates an account whose only credential is the passkey and signs the caller into it. It is an
 * account like any other (`usr_…`, not anonymous) with no email: the passkey is its proof.
 */
export async function finishSignUp(
  rt: Runtime,
  caller: UserContext,
  from: SessionProof | null,
  response: RegistrationResponseJSON,
  name: string | undefined,
  meta: RequestMeta,
): Promise<SignUpOutcome> {
  const now = Date.now()
  const pending = await takeChallenge(rt, caller.sessionId, 'passkey.sign-up', now)
  const info = await verifyRegistration(rt.settings, response, pending.challenge)
  const passkey = passkeyRow(pending.userId, info, response, name, now)
  if (!(await insertPasskeyAccount(rt.db, passkey, now))) throw passkeyTaken()
  const row = await findUser(rt.db, pending.userId)
  if (!row) throw new Error('passkey account vanished after its insert')
  const sessionId = caller.sessionId
  await Promise.all([
    recordAuditEvent(
      rt.db,
      { type: 'auth.registered', userId: row.id, sessionId, detail: { method: 'passkey' } },
      meta,
      now,
    ),
    auditAdded(rt, passkey, sessionId, meta, now),
  ])
  const outcome = await signInWithBothFactors(
    rt,
    sameSession(from, caller),
    accountTarget(row),
    meta,
  )
  return { ...outcome, passkey: { ...passkey, lastUsedAt: null } as PasskeyRow }
}

/** Adds the passkey to the signed-in account that asked for the options. */
export async function finishAdding(
  rt: Runtime,
  caller: UserContext,
  response: RegistrationResponseJSON,
  name: string | undefined,
  meta: RequestMeta,
): Promise<PasskeyRow> {
  const now = Date.now()
  const pending = await takeChallenge(rt, caller.sessionId, 'passkey.add', now)
  // The session signed into another account since it asked: that challenge was not for this one.
  if (pending.userId !== caller.id) throw new AppError(400, CODE.invalid_or_expired_challenge)
  await requireRecentSignIn(rt, caller.sessionId, now)
  const info = await verifyRegistration(rt.settings, response, pending.challenge)
  const row = await insertPasskey(rt.db, passkeyRow(caller.id, info, response, name, now))
  if (!row) throw passkeyTaken()
  await auditAdded(rt, row, caller.sessionId, meta, now)
  return row
}

/**
 * Signs in with a passkey: the challenge must be the one this session asked for; the signature,
 * origin, RP ID and user verification must hold, and the counter must move forward (a counter
 * going back is a cloned authenticator).
 */
export async function finishSignIn(
  rt: Runtime,
  caller: UserContext,
  from: SessionProof | null,
  response: AuthenticationResponseJSON,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const now = Date.now()
  const pending = await takeChallenge(rt, caller.sessionId, 'passkey.sign-in', now)
  const stored = await findPasskeyByCredentialId(rt.db, response.id)
  if (!stored) throw passkeyRejected(401, 'unknown credential')
  const userHandle = response.response.userHandle
  // WebAuthn §7.2 step 6: a user handle, when returned, names the credential's owner.
  if (userHandle && utf8(fromBase64Url(userHandle)) !== stored.userId)
    throw passkeyRejected(401, 'user handle does not match the credential')
  const key = fromBase64Url(stored.publicKey)
  if (!key) throw new Error('stored passkey public key is not base64url')
  const publicKey = Uint8Array.from(key)
  const info = await verifyAuthentication(rt.settings, response, pending.challenge, {
    id: stored.credentialId,
    publicKey,
    counter: stored.counter,
    transports: splitTransports(stored.transports) as AuthenticatorTransport[],
  })
  const used = await recordPasskeyUse(rt.db, stored.id, {
    counter: info.newCounter,
    backedUp: info.credentialBackedUp,
    deviceType: info.credentialDeviceType,
    now,
  })
  if (!used) throw passkeyRejected(401, 'signature counter did not move forward')
  const row = await findUser(rt.db, stored.userId)
  if (!row || row.isAnonymous || row.mergedInto) throw passkeyRejected(401, 'account is gone')
  await recordAuditEvent(
    rt.db,
    {
      type: 'passkey.used',
      userId: row.id,
      sessionId: caller.sessionId,
      detail: { passkeyId: stored.id },
    },
    meta,
    now,
  )
  // User verification is required: the passkey counts as both factors.
  return signInWithBothFactors(rt, sameSession(from, caller), accountTarget(row), meta)
}

async function remember(
  rt: Runtime,
  caller: UserContext,
  ceremony: PasskeyCeremony,
  challenge: string,
  userId: string,
): Promise<void> {
  await keepChallenge(rt, caller.sessionId, ceremony, challenge, userId, Date.now())
}

async function requireAccount(rt: Runtime, caller: UserContext) {
  const row = caller.isAnonymous ? undefined : await findUser(rt.db, caller.id)
  if (!row || row.isAnonymous)
    throw new AppError(403, CODE.account_required, 'Only an account can add a passkey.')
  return row
}

/** The refresh proof counts only for the session that asked for the challenge. */
function sameSession(from: SessionProof | null, caller: UserContext): SessionProof | null {
  return from && from.sessionId === caller.sessionId ? from : null
}

function accountTarget(row: Parameters<typeof accountSubject>[0]) {
  return { kind: 'account' as const, account: accountSubject(row), droppedCredentials: false }
}

const passkeyTaken = () => new AppError(409, CODE.passkey_taken)

function passkeyRow(
  userId: string,
  info: Awaited<ReturnType<typeof verifyRegistration>>,
  response: RegistrationResponseJSON,
  name: string | undefined,
  now: number,
): NewPasskey & { id: string; userId: string } {
  const { credential, credentialDeviceType, credentialBackedUp } = info
  const transports = credential.transports ?? response.response.transports ?? []
  return {
    id: createId('pk'),
    credentialId: credential.id,
    userId,
    publicKey: toBase64Url(credential.publicKey),
    counter: credential.counter,
    transports: transports.join(','),
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
    name: name ?? (credentialDeviceType === 'multiDevice' ? 'Synced passkey' : 'Passkey'),
    createdAt: now,
  }
}

function auditAdded(
  rt: Runtime,
  passkey: { id: string; userId: string; deviceType: string },
  sessionId: string,
  meta: RequestMeta,
  now: number,
) {
  return recordAuditEvent(
    rt.db,
    {
      type: 'passkey.added',
      userId: passkey.userId,
      sessionId,
      detail: { passkeyId: passkey.id, deviceType: passkey.deviceType },
    },
    meta,
    now,
  )
}

function splitTransports(transports: string): string[] {
  return transports ? transports.split(',') : []
}

function utf8(bytes: Uint8Array | null): string | null {
  return bytes ? new TextDecoder().decode(bytes) : null
}
