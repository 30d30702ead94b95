/**
 * React bindings for the edge-session browser SDK (`@edge-session/react`): a provider taking a
 * client, `useSession()`, hooks for sign-in, sign-out, magic links, passkeys, providers
 * (Google, GitHub, any OpenID issuer) and the second factor, and two prebuilt,
 * unstyled components (`<SignIn/>`, `<AccountMenu/>`). React and
 * `@edge-session/client` are peers; nothing else is imported at run time.
 */
export { SessionProvider, useSessionClient } from './session-provider'
export type { SessionProviderProps } from './session-provider'
export { useSession } from './use-session'
export {
  useConfirmRegistration,
  useMagicLink,
  useRegister,
  useSessionAction,
  useSignIn,
  useSignOut,
} from './use-session-action'
export type {
  MagicLinkActions,
  RegistrationConfirmActions,
  SessionAction,
  SignOutOptions,
} from './use-session-action'
export { usePasskeys, usePasskeySignIn } from './use-passkeys'
export { useMfa } from './use-mfa'
export type { MfaActions } from './use-mfa'
export type { PasskeyActions } from './use-passkeys'
export {
  useAuthProviders,
  useIdentities,
  useProviderReturn,
  useProviderSignIn,
} from './use-providers'
export type { AuthProvidersState, IdentityActions, ProviderReturnState } from './use-providers'
export { SignIn } from './components/sign-in'
export type { SignInMethod, SignInProps } from './components/sign-in'
export { AccountMenu } from './components/account-menu'
export type { AccountMenuProps } from './components/account-menu'
export type {
  ClientErrorCode,
  SessionChange,
  SessionClient,
  SessionClientError,
  SessionState,
  SessionStatus,
} from '@edge-session/client'
