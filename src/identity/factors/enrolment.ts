/**
 * The account's own second factor: enrol an authenticator app (a sealed secret, its URI and QR
 * code), confirm it with a first code (which hands out the recovery codes), disable it, regenerate
 * the recovery codes, and pass it to step up. Every change needs a recent sign-in or factor
 * (step-up), and is audited.
 */
import { AppError } from '../../platform/errors'
import type { Runtime } from '../../platform/runtime'
import type { RequestMeta, UserContext } from '../../platform/shared-types'
import { openValue, sealValue, totpSlot } from '../../platform/crypto/sealing'
import { recordAuditEvent, type AuditEventType } from '../../platform/audit/audit-log'
import { findUser } from '../../platform/db/users'
import { CODE } from '../../contract/error-codes'
import { noteStepUp, requireRecentSignIn } from '../credentials/recent-sign-in'
import {
  acceptTotpStep,
  countRecoveryCodesLeft,
  deleteSecondFactor,
  findSecondFactor,
  grantFactorTry,
  putPendingTotp,
  replaceRecoveryCodes,
} from './queries'
import { createTotpSecret, qrDataUrl, totpStep, totpUri } from './totp'
import { createRecoveryCodes, hashRecoveryCode } from './recovery-codes'
import {
  invalidFactorCode,
  tooManyTries,
  verifySecondFactor,
  type FactorProof,
} from './verification'

export interface TotpEnrolment {
  uri: string
  qrCode: string
  secret: string
}

const notEnrolled = () => new AppError(409, CODE.factor_not_enrolled)

/** Starts enrolling an authenticator app (replacing an unconfirmed one); 409 when one is confirmed. */
export async function enrolTotp(
  rt: Runtime,
  caller: UserContext,
  meta: RequestMeta,
): Promise<TotpEnrolment> {
  const now = Date.now()
  const user = await accountOf(rt, caller)
  await requireRecentSignIn(rt, caller.sessionId, now)
  const secret = await createTotpSecret()
  const sealed = await sealValue(rt.userKeys(user.id), secret, totpSlot(user.id))
  if (!(await putPendingTotp(rt.db, user.id, sealed, now)))
    throw new AppError(409, CODE.factor_already_enrolled)
  await audit(rt, 'factor.totp_enrolled', caller, {}, meta, now)
  const uri = await totpUri(secret, rt.settings.PRODUCT_NAME, user.email ?? user.id)
  return { uri, qrCode: await qrDataUrl(uri), secret }
}

/**
 * Confirms the enrolment with a code from the app: from now on sign-ins ask for it. Answers the
 * ten recovery codes, shown this once.
 */
export async function confirmTotp(
  rt: Runtime,
  caller: UserContext,
  code: string,
  meta: RequestMeta,
): Promise<string[]> {
  const now = Date.now()
  const user = await accountOf(rt, caller)
  // Tries count here too: a pending factor is guessed at no more than a confirmed one.
  const row = await grantFactorTry(rt.db, user.id, now, false)
  if (!row) {
    const pending = await findSecondFactor(rt.db, user.id)
    if (!pending || pending.confirmedAt !== null) throw notEnrolled()
    throw tooManyTries(pending, now)
  }
  const secret = await openValue(rt.userKeys(user.id), row.totpSecretSealed, totpSlot(user.id))
  const step = await totpStep(secret, code, now)
  if (step === null || !(await acceptTotpStep(rt.db, user.id, step, now, true))) {
    await audit(rt, 'factor.failed', caller, { method: 'totp', purpose: 'confirm' }, meta, now)
    throw invalidFactorCode()
  }
  const codes = await storeNewRecoveryCodes(rt, user.id, now)
  await audit(rt, 'factor.totp_confirmed', caller, {}, meta, now)
  // Entering the code just now is as recent a proof as any.
  await noteStepUp(rt, caller.sessionId, user.id, now)
  return codes
}

/** Disables the authenticator app and drops the recovery codes: a recent sign-in AND a code. */
export async function disableTotp(
  rt: Runtime,
  caller: UserContext,
  proof: FactorProof,
  meta: RequestMeta,
): Promise<void> {
  const now = Date.now()
  const user = await enrolledAccountOf(rt, caller, now)
  await verifySecondFactor(rt, check(caller, 'disable', now), proof, meta)
  await deleteSecondFactor(rt.db, user.id)
  await audit(rt, 'factor.totp_disabled', caller, {}, meta, now)
}

/** New recovery codes (the old ones stop working); needs step-up. */
export async function regenerateRecoveryCodes(
  rt: Runtime,
  caller: UserContext,
  meta: RequestMeta,
): Promise<string[]> {
  const now = Date.now()
  const user = await enrolledAccountOf(rt, caller, now)
  const codes = await storeNewRecoveryCodes(rt, user.id, now)
  await audit(rt, 'factor.recovery_codes_regenerated', caller, {}, meta, now)
  return codes
}

/** Step-up: a code accepted now lets this session make sensitive changes for five minutes. */
export async function stepUpWithFactor(
  rt: Runtime,
  caller: UserContext,
  proof: FactorProof,
  meta: RequestMeta,
): Promise<void> {
  const now = Date.now()
  const user = await accountOf(rt, caller)
  await verifySecondFactor(rt, check(caller, 'step-up', now), proof, meta)
  await noteStepUp(rt, caller.sessionId, user.id, now)
}

/** The account's factor as listings show it: never the secret. */
export async function factorsOf(rt: Runtime, userId: string) {
  const [factor, recoveryCodesLeft] = await Promise.all([
    findSecondFactor(rt.db, userId),
    countRecoveryCodesLeft(rt.db, userId),
  ])
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
  return {
    totp: factor
      ? {
          confirmed: factor.confirmedAt !== null,
          createdAt: new Date(factor.createdAt).toISOString(),
          confirmedAt: iso(factor.confirmedAt),
          lastUsedAt: iso(factor.lastUsedAt),
        }
      : null,
    recoveryCodesLeft,
  }
}

async function storeNewRecoveryCodes(rt: Runtime, userId: string, now: number) {
  const codes = createRecoveryCodes()
  await replaceRecoveryCodes(rt.db, userId, await Promise.all(codes.map(hashRecoveryCode)), now)
  return codes
}

async function accountOf(rt: Runtime, caller: UserContext) {
  const user = caller.isAnonymous ? undefined : await findUser(rt.db, caller.id)
  if (!user || user.isAnonymous)
    throw new AppError(403, CODE.account_required, 'Only an account can have a second factor.')
  return user
}

/** The caller's account, after a recent sign-in, with a confirmed authenticator app; else 403/409. */
async function enrolledAccountOf(rt: Runtime, caller: UserContext, now: number) {
  const user = await accountOf(rt, caller)
  await requireRecentSignIn(rt, caller.sessionId, now)
  const factor = await findSecondFactor(rt.db, user.id)
  if (!factor?.confirmedAt) throw notEnrolled()
  return user
}

const check = (caller: UserContext, purpose: 'step-up' | 'disable', now: number) => ({
  userId: caller.id,
  sessionId: caller.sessionId,
  purpose,
  now,
})

function audit(
  rt: Runtime,
  type: AuditEventType,
  caller: UserContext,
  detail: Record<string, unknown>,
  meta: RequestMeta,
  now: number,
) {
  return recordAuditEvent(
    rt.db,
    { type, userId: caller.id, sessionId: caller.sessionId, detail },
    meta,
    now,
  )
}
