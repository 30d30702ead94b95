/** Types of oidc-issuer.mjs, for the TypeScript tests beside it. */

export const OIDC_CLIENT: { clientId: string; clientSecret: string }

export interface OidcIssuer {
  /** `http://127.0.0.1:<port>` */
  issuer: string
  /** Serves the provider, its one client's callbacks on `origin` for each provider id. */
  allowCallbacksTo(origin: string, providerIds: string[]): void
  close(): Promise<void>
}

export function startOidcIssuer(): Promise<OidcIssuer>
/** `['--var', 'OIDC_PROVIDERS:[…]']` naming this issuer for each `{id, name}`. */
export function oidcProviderArgs(
  issuer: string,
  providers: Array<{ id: string; name: string }>,
): string[]
