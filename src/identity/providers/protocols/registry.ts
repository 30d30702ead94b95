/**
 * The providers this deployment offers: each named provider whose settings are complete, then
 * every generic OpenID issuer of OIDC_PROVIDERS. Built once per settings object (per isolate).
 */
import type { Settings } from '../../../platform/config'
import { AppError } from '../../../platform/errors'
import { CODE } from '../../../contract/error-codes'
import { createOidcProvider } from './generic-oidc'
import { namedProviders } from './named-providers'
import type { SignInProvider } from './provider'

const built = new WeakMap<Settings, ReadonlyMap<string, SignInProvider>>()

export function providersOf(settings: Settings): ReadonlyMap<string, SignInProvider> {
  let providers = built.get(settings)
  if (!providers) {
    const list = [
      ...namedProviders(settings),
      ...settings.OIDC_PROVIDERS.map((options) => createOidcProvider(options)),
    ]
    providers = new Map(list.map((provider) => [provider.id, provider]))
    built.set(settings, providers)
  }
  return providers
}

/** The provider of `id`, or 404 `unknown_provider`. */
export function providerNamed(settings: Settings, id: string): SignInProvider {
  const provider = providersOf(settings).get(id)
  if (!provider) throw new AppError(404, CODE.unknown_provider)
  return provider
}
