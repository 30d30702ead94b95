/** The errors of a provider flow, in the service's one vocabulary. */
import { AppError } from '../../../platform/errors'
import { CODE } from '../../../contract/error-codes'

/** 400: the provider's answer did not verify; `why` goes to the log, not the wire. */
export function providerRejected(why: string): AppError {
  console.warn(JSON.stringify({ level: 'warn', msg: 'provider answer rejected', why }))
  return new AppError(400, CODE.provider_rejected)
}

/** 503: the provider could not be reached or answered nonsense; a retry may succeed. */
export function providerUnavailable(why: string): AppError {
  console.warn(JSON.stringify({ level: 'warn', msg: 'provider unavailable', why }))
  return new AppError(503, CODE.provider_unavailable)
}
