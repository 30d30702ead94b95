/**
 * The one error the browser SDK throws. The API's `{"error": {"code", "message"}}` arrives here
 * with its HTTP status; a request that never got an answer is status 0, code `network_error`.
 */
import {
  CLIENT_CODE,
  CLIENT_ERROR_CODES,
  ERROR_CODES,
  type ClientErrorCode as SdkOwnCode,
  type ErrorCode,
} from '../../contract/error-codes'
import type { SecondFactorMethod, SecondFactorRequired } from './types'

/** The contract's error body (test/sdk/client/contract-types.test.ts holds it to the schema). */
export interface ErrorBody {
  error: {
    /** One code of the service's vocabulary (src/contract/error-codes.ts). */
    code: ErrorCode
    message: string
    /** 400 `invalid_request` only: each failing field and what is wrong with it. */
    fields?: Array<{ path: string; message: string }>
  }
}

/**
 * What `SessionClientError.code` can be: a code of the service's vocabulary, or one the SDK gives
 * an answer that never came (`network_error`), was not JSON (`invalid_response`) or was not in the
 * contract's shape (`http_error`).
 */
export type ClientErrorCode = ErrorCode | SdkOwnCode

/** An API error: `code` is the contract's snake_case code, `status` the HTTP status (0: no answer). */
export class SessionClientError extends Error {
  override name = 'SessionClientError'
  constructor(
    readonly status: number,
    readonly code: ClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/**
 * Thrown by a sign-in method (login, a link or its code) when the account asks for its second
 * factor: nothing was signed in. Answer with `client.mfa.verify({ challenge, code })`; the
 * client's state is `second_factor_required` meanwhile.
 */
export class SecondFactorRequiredError extends SessionClientError {
  override name = 'SecondFactorRequiredError'
  readonly challenge: string
  readonly methods: SecondFactorMethod[]
  readonly expiresAt: string
  constructor(pending: SecondFactorRequired) {
    super(202, CLIENT_CODE.needs_second_factor, CLIENT_ERROR_CODES.needs_second_factor)
    this.challenge = pending.challenge
    this.methods = pending.methods
    this.expiresAt = pending.expiresAt
  }
}

const isErrorBody = (value: unknown): value is ErrorBody => {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false
  const error = (value as { error: unknown }).error
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  )
}

/** The error a failed response stands for; a body that is not the contract's shape still gets one. */
export async function errorFromResponse(res: Response): Promise<SessionClientError> {
  const body: unknown = await res.json().catch(() => null)
  if (isErrorBody(body))
    return new SessionClientError(res.status, body.error.code, body.error.message)
  return clientError(res.status, CLIENT_CODE.http_error)
}

/** An error the SDK raises itself, with its code's one message from the vocabulary. */
export function clientError(
  status: number,
  code: ErrorCode | ClientErrorCode,
  options?: { cause?: unknown },
): SessionClientError {
  const message =
    code in ERROR_CODES ? ERROR_CODES[code as ErrorCode] : CLIENT_ERROR_CODES[code as SdkOwnCode]
  return new SessionClientError(status, code, message, options)
}
