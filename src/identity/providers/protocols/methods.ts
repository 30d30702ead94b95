/** What `GET /v1/auth/providers` answers: the built-in methods, then each configured provider. */
import type { Settings } from '../../../platform/config'
import { providersOf } from './registry'

export type SignInMethod = 'magic-link' | 'password' | 'passkey'

export function signInMethods(settings: Settings): {
  methods: SignInMethod[]
  providers: Array<{ id: string; name: string }>
} {
  // A sign-in link needs a mailer; passwords and passkeys need nothing more.
  const methods: SignInMethod[] = settings.MAILER
    ? ['magic-link', 'password', 'passkey']
    : ['password', 'passkey']
  const providers = [...providersOf(settings).values()].map(({ id, name }) => ({ id, name }))
  return { methods, providers }
}
