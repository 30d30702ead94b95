/**
 * Which of `<SignIn/>`'s methods to show: the service's ways in (`GET /v1/auth/providers`) as the
 * component's methods, narrowed and ordered by the app's `methods` prop.
 */
import type { AuthMethod, AuthProviders } from '@edge-session/client'

/**
 * A way in: `link` (a mailed link and code), `password`, `register` (email and password, with a
 * mailed code), `passkey` (a button, beside the providers').
 */
export type SignInMethod = 'link' | 'password' | 'register' | 'passkey'

const FOR_SERVICE_METHOD: Record<AuthMethod, readonly SignInMethod[]> = {
  'magic-link': ['link'],
  password: ['password', 'register'],
  passkey: ['passkey'],
}

// Until the service answers: what every version of it offers.
const BEFORE_ANSWER: readonly SignInMethod[] = ['link', 'password', 'register']

/** The methods to show, in the app's order when it gives one. */
export function offeredMethods(
  offered: AuthProviders | null,
  wanted: readonly SignInMethod[] | undefined,
): SignInMethod[] {
  const available = offered
    ? offered.methods.flatMap((method) => FOR_SERVICE_METHOD[method] ?? [])
    : BEFORE_ANSWER
  return wanted ? wanted.filter((m) => available.includes(m)) : [...available]
}
