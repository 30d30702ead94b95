/**
 * The device credential a sign-in request presents: `deviceCredential` in the body (token
 * clients), else the device cookie (browsers). Absent or not one of ours, the request spends the
 * budget every stranger shares; it is never an error, since a stale credential is no attack.
 */
import type { Context } from 'hono'
import { z } from '@hono/zod-openapi'
import { readDeviceCookie } from '../../http/transport'
import type { AppEnv } from '../../http/app-env'

/** The optional body field carrying a token client's device credential. */
export const DeviceCredentialField = z.string().max(256).optional().openapi({
  description:
    'Token clients: the deviceCredential a sign-in to this account answered with, so this request spends its own budget.',
})

export function presentedDeviceCredential(
  c: Context<AppEnv>,
  bodyCredential: string | undefined,
): string | null {
  return bodyCredential ?? readDeviceCookie(c) ?? null
}
