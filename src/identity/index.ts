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
export const loadAccountRoutes = () => import('./credentials/routes').then((m) => m.accountRoutes)
export const loadMagicLinkRoutes = () =>
  import('./magic-links/routes').then((m) => m.magicLinkRoutes)
export const loadPasskeyRoutes = () => import('./passkeys/routes').then((m) => m.passkeyRoutes)
export { passkeysOf, removePasskeyAsAdmin } from './passkeys/management'
export const loadSignOutRoutes = () => import('./sign-out-routes').then((m) => m.signOutRoutes)
export const loadProviderRoutes = () => import('./providers/routes').then((m) => m.providerRoutes)
export const loadIdentityRoutes = () =>
  import('./providers/identity-routes').then((m) => m.identityRoutes)
export { identitiesOf, removeIdentityAsAdmin } from './providers/management'
export const loadFactorRoutes = () => import('./factors/routes').then((m) => m.factorRoutes)
export { factorsOf } from './factors/enrolment'
export { removeFactorsAsAdmin } from './factors/management'
export { identityRetention } from './retention'
