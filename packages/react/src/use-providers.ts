/**
 * The provider hooks: which ways in the service offers, sign-in and linking through a provider's
 * redirect, the account's linked identities, and what the provider's return brought back (a
 * refusal in `?error=`, or a token client's handoff code to exchange).
 */
import type {
  AuthProviders,
  Identity,
  ProviderRedirect,
  ProviderRedirectOptions,
  ProviderSignIn,
  SessionClient,
  SessionClientError,
} from '@edge-session/client'
import { useEffect, useState } from 'react'
import { returnUrl } from './return-url'
import { useSessionClient } from './session-provider'
import { useSessionAction, type SessionAction } from './use-session-action'

/** `offered` is `null` until the service answered (or failed to: then `error`). */
export interface AuthProvidersState {
  offered: AuthProviders | null
  error: SessionClientError | null
}

// One look-up per client, shared by every component that asks: the list changes with a deploy only.
const lookups = new WeakMap<SessionClient, Promise<AuthProviders>>()

/** What this service offers (`GET /v1/auth/providers`; link and password from an older one). */
export function useAuthProviders(): AuthProvidersState {
  const client = useSessionClient()
  const [state, setState] = useState<AuthProvidersState>({ offered: null, error: null })
  useEffect(() => {
    let current = true
    let lookup = lookups.get(client)
    if (!lookup) {
      lookup = client.providers()
      lookups.set(client, lookup)
      // A failed look-up is asked again by the next component that mounts.
      lookup.catch(() => lookups.delete(client))
    }
    lookup.then(
      (offered) => current && setState({ offered, error: null }),
      (error: SessionClientError) => current && setState({ offered: null, error }),
    )
    return () => {
      current = false
    }
  }, [client])
  return state
}

const signInWith = (client: SessionClient, provider: string, redirect: ProviderRedirectOptions) =>
  client.signInWith(provider, redirect)
const linkIdentity = (client: SessionClient, provider: string, redirect: ProviderRedirectOptions) =>
  client.linkIdentity(provider, redirect)
const listIdentities = (client: SessionClient) => client.identities()
const unlinkIdentity = (client: SessionClient, identityId: string) =>
  client.unlinkIdentity(identityId)

/** Sends the browser to a provider to sign in (cookie transport navigates by itself). */
export const useProviderSignIn = (): SessionAction<
  [provider: string, redirect: ProviderRedirectOptions],
  ProviderRedirect
> => useSessionAction(signInWith)

export interface IdentityActions {
  /** Links another provider's account (a sign-in within 5 minutes), through its redirect. */
  link: SessionAction<[provider: string, redirect: ProviderRedirectOptions], ProviderRedirect>
  list: SessionAction<[], Identity[]>
  /** Never the account's last way in (409). */
  unlink: SessionAction<[identityId: string], void>
}

export function useIdentities(): IdentityActions {
  return {
    link: useSessionAction(linkIdentity),
    list: useSessionAction(listIdentities),
    unlink: useSessionAction(unlinkIdentity),
  }
}

/**
 * What the provider's return to this page brought: `error` is its refusal, if any, or
 * `needs_second_factor` when the account asks for its code (`useSession()` is then
 * `second_factor_required`, and `useMfa()` answers it).
 */
export interface ProviderReturnState {
  error: SessionClientError | null
  /** Token transport: the exchanged handoff's sign-in, once it answered. */
  signedIn: ProviderSignIn | null
}

/**
 * Reads the provider's return once the page loads: a `?error=` becomes `error`; a
 * `?second_factor=` the session's `second_factor_required` state; a token client's `?code=` is
 * exchanged. Each leaves the address bar, so that a reload does not repeat it.
 */
export function useProviderReturn(): ProviderReturnState {
  const client = useSessionClient()
  const [state, setState] = useState<ProviderReturnState>({ error: null, signedIn: null })
  useEffect(() => {
    if (typeof location === 'undefined') return
    const { href, search } = location
    const params = new URLSearchParams(search)
    const exchanges = client.transport === 'token' && params.has('code')
    if (!params.has('error') && !params.has('second_factor') && !exchanges) return
    history.replaceState(history.state, '', returnUrl(href))
    // The SDK reads the return: a refusal is thrown without a request, a code exchanged once. No
    // cancelling on unmount: Strict Mode's second effect finds the address already clean.
    client.completeSignInWith(href).then(
      (signedIn) => setState({ error: null, signedIn }),
      (error: SessionClientError) => setState({ error, signedIn: null }),
    )
  }, [client])
  return state
}
