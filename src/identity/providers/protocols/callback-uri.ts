/** The callback address registered at each provider: on the service's own public origin, never `Host`. */
import type { Settings } from '../../../platform/config'

export function callbackUri(settings: Pick<Settings, 'PUBLIC_ORIGIN'>, providerId: string): string {
  return `${settings.PUBLIC_ORIGIN}/v1/auth/providers/${providerId}/callback`
}
