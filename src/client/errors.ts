/**
 * The one error the browser SDK throws. The API's `{"error": {"code", "message"}}` arrives here
 * with its HTTP status; a request that never got an answer is status 0, code `network_error`.
 */
import type { ErrorCode } from '../error-codes'

/** The contract's error body (test/client/contract-types.test.ts holds it to the schema). */
export interface ErrorBody {
  error: {
    /** One code of the service's vocabulary (src/error-codes.ts). */
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
export type ClientErrorCode = ErrorCode | 'network_error' | 'invalid_response' | 'http_error'

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
  return new SessionClientError(
    res.status,
    'http_error',
    `The server answered ${res.status} ${res.statusText}`.trim() + '.',
  )
}
