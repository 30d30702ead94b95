/**
 * Text fields limited in UTF-8 bytes. Past its limit a field is too large, not malformed: the
 * router answers 413 `payload_too_large` naming the field, as the body limit and the stored-value
 * limits do, instead of 400.
 */
import { z } from '@hono/zod-openapi'
import type { core } from 'zod'
import { utf8ByteLength } from './utf8'

const TOO_LARGE = 'tooLarge'

/** A string of at most `maxBytes` UTF-8 bytes; one issue past it, marked too large. */
export function utf8Text(maxBytes: number) {
  return (
    z
      .string()
      // Characters never outnumber bytes, so the cheap check runs first.
      .refine((text) => text.length <= maxBytes && utf8ByteLength(text) <= maxBytes, {
        message: `must be at most ${maxBytes} bytes`,
        params: { [TOO_LARGE]: true },
      })
      .openapi({ maxLength: maxBytes })
  )
}

/** True for the issue `utf8Text` raises past its limit. */
export function isTooLarge(issue: core.$ZodIssue): boolean {
  return issue.code === 'custom' && issue.params?.[TOO_LARGE] === true
}
