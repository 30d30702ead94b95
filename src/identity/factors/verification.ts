/**
 * Checking a second-factor code (a TOTP code or a recovery code) against the account's factor:
 * the try is granted first, in the statement that counts it (see `grantFactorTry`), so a burst of
 * guesses gets no more than the limit; a TOTP code works once per time step.
 */
import { AppError } from '../../platform/errors'
import type { Runtime } from '../../platform/runtime'
import type { RequestMeta } from '../../platform/shared-types'
import { openValue, totpSlot } from '../../platform/crypto/sealing'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import { CODE } from '../../contract/error-codes'
import {
  acceptTotpStep,
  FACTOR_TRY_WINDOW_MS,
  findSecondFactor,
  grantFactorTry,
  useRecoveryCode,
  type SecondFactorRow,
} from './queries'
import { totpStep } from './totp'
import { hashRecoveryCode } from './recovery-codes'
import type { SecondFactorMethod } from './challenges'

/** What the caller typed: a code from the authenticator app, or one of the recovery codes. */
export type FactorProof = { code: string } | { recoveryCode: string }

/** Why a code is refused; every refusal is audited. */
export const invalidFactorCode = () =>
  new AppError(
    400,
    CODE.invalid_factor_code,
    'The code is wrong, expired or already used; wait for the next code and try again.',
  )

/** 429 until the window of `row`'s tries is over. */
export const tooManyTries = (row: { triesSince: number }, now: number) => {
  const until = row.triesSince + FACTOR_TRY_WINDOW_MS
  const seconds = Math.max(1, Math.ceil((until - now) / 1000))
  return new AppError(
    429,
    CODE.rate_limited,
    `Too many wrong codes for this account; try again in ${seconds} s.`,
    { 'Retry-After': String(seconds) },
  )
}

/** Where the check happens, for the audit trail. */
export interface FactorCheck {
  userId: string
  sessionId: string | null
  /** `sign-in`: finishing a sign-in; `step-up`: a signed-in session proving itself again. */
  purpose: 'sign-in' | 'step-up' | 'disable'
  now: number
}

/**
 * Checks `proof` against the account's confirmed factor; answers the method that passed, or
 * throws 400 `invalid_factor_code` (429 once the tries of the window are spent).
 */
export async function verifySecondFactor(
  rt: Runtime,
  check: FactorCheck,
  proof: FactorProof,
  meta: RequestMeta,
): Promise<SecondFactorMethod> {
  const { userId, purpose, now } = check
  const method: SecondFactorMethod = 'code' in proof ? 'totp' : 'recovery_code'
  const row = await grantFactorTry(rt.db, userId, now, true)
  if (!row) {
    const factor = await findSecondFactor(rt.db, userId)
    if (!factor?.confirmedAt) throw new AppError(409, CODE.factor_not_enrolled)
    await audit(rt, 'factor.failed', check, { method, purpose, reason: 'tries_spent' }, meta)
    throw tooManyTries(factor, now)
  }
  if (!(await passes(rt, row, proof, now))) {
    await audit(rt, 'factor.failed', check, { method, purpose, tries: row.tries }, meta)
    throw invalidFactorCode()
  }
  if (method === 'recovery_code')
    await audit(rt, 'factor.recovery_code_used', check, { purpose }, meta)
  await audit(rt, 'factor.passed', check, { method, purpose }, meta)
  return method
}

async function passes(
  rt: Runtime,
  row: SecondFactorRow,
  proof: FactorProof,
  now: number,
): Promise<boolean> {
  if ('recoveryCode' in proof)
    return useRecoveryCode(rt.db, row.userId, await hashRecoveryCode(proof.recoveryCode), now)
  const secret = await openValue(
    rt.userKeys(row.userId),
    row.totpSecretSealed,
    totpSlot(row.userId),
  )
  const step = await totpStep(secret, proof.code, now)
  return step !== null && (await acceptTotpStep(rt.db, row.userId, step, now, false))
}

function audit(
  rt: Runtime,
  type: 'factor.failed' | 'factor.passed' | 'factor.recovery_code_used',
  check: FactorCheck,
  detail: Record<string, unknown>,
  meta: RequestMeta,
) {
  return recordAuditEvent(
    rt.db,
    { type, userId: check.userId, sessionId: check.sessionId, detail },
    meta,
    check.now,
  )
}
