/**
 * The identity slice's public face: accounts, credentials, sign-in, magic links, the merge and
 * erasure. Other slices, the session object and the app import it only through this file.
 */
export { findUserByEmail } from './account-queries'
export { accountSubject, claimMailbox } from './accounts'
export { normalizeEmail } from './emails'
export { eraseUsers } from './erasure'
export {
  mergeSessionUser,
  resolveSignInAccount,
  signInStepContext,
  type AccountResolution,
  type SignInStepContext,
} from './sign-in-step'
export { revokeAllSessions } from './sign-out'
export { accountRoutes } from './credentials/routes'
export { magicLinkRoutes } from './magic-links/routes'
export { passkeyRoutes } from './passkeys/routes'
export { passkeysOf, removePasskeyAsAdmin } from './passkeys/management'
export { PasskeySchema } from './passkeys/schemas'
export { signOutRoutes } from './sign-out-routes'
export { providerRoutes } from './providers/routes'
export { identityRoutes } from './providers/identity-routes'
export { identitiesOf, removeIdentityAsAdmin } from './providers/management'
export { IdentitySchema } from './providers/schemas'
export { identityRetention } from './retention'
