/**
 * The MCP SDK's `OAuthClientProvider` for another Worker (the MCP client app): one instance per
 * (user, server) and request, storing tokens, client information and the authorization in
 * progress (PKCE verifier and `state`) in this service over its RPC entrypoint, sealed per user
 * as `/v1/oauth` keeps them. The SDK is imported for its types only; the consumer brings it.
 */
import type {
  OAuthClientProvider,
  OAuthDiscoveryState,
} from '@modelcontextprotocol/sdk/client/auth.js'
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js'
import type { OAuthRecord, OAuthWriteResult } from '../contract'
import type { SessionServiceApi } from '../rpc-contract'

/** The part of the service binding the provider uses (`env.AUTH`). */
export type OAuthStorageService = Pick<
  Service<SessionServiceApi>,
  'getOAuth' | 'saveOAuthTokens' | 'saveOAuthClient' | 'saveOAuthPending' | 'clearOAuth'
>

export interface RemoteOAuthProviderOptions {
  /** The service binding to the `SessionService` entrypoint. */
  service: OAuthStorageService
  /** Whose records these are: `c.var.user.id` from the middleware. */
  userId: string
  /** Your name for the MCP or OAuth server (`^[A-Za-z0-9_.:-]{1,128}$`). */
  serverId: string
  /** Where the authorization server sends the user back with `code` and `state`. */
  redirectUrl: string | URL
  clientMetadata: OAuthClientMetadata
  /** A Worker cannot open a browser: remember the URL and answer with a redirect to it. */
  redirectToAuthorization: (authorizationUrl: URL) => void | Promise<void>
  /** SEP-991: a URL-based client id, used when the authorization server supports it. */
  clientMetadataUrl?: string | undefined
}

/**
 * An `OAuthClientProvider` that stores through the service. Each authorization gets a random
 * `state`, stored with its verifier; the callback checks it with `checkState` before handing the
 * code to `auth()`. After a successful code exchange the verifier is cleared (RFC 7636 §4.5).
 * @example
 * const provider = createRemoteOAuthProvider({ service: env.AUTH, userId, serverId: 'linear',
 *   redirectUrl, clientMetadata, redirectToAuthorization: (url) => { redirectTo = url } })
 * await auth(provider, { serverUrl: 'https://mcp.linear.app/mcp' })
 */
export function createRemoteOAuthProvider(
  options: RemoteOAuthProviderOptions,
): RemoteOAuthClientProvider {
  return new RemoteOAuthClientProvider(options)
}

export class RemoteOAuthClientProvider implements OAuthClientProvider {
  readonly clientMetadataUrl?: string
  /** The `state` of the authorization this instance started, until its verifier is stored. */
  private startedState: string | null = null
  /** Set once `auth()` reads the verifier: the tokens saved next come from the code exchange. */
  private exchanging = false
  // Discovery results live as long as this instance (the service has no column for them yet).
  private discovery: OAuthDiscoveryState | undefined

  constructor(private readonly options: RemoteOAuthProviderOptions) {
    if (options.clientMetadataUrl) this.clientMetadataUrl = options.clientMetadataUrl
  }

  get redirectUrl(): string | URL {
    return this.options.redirectUrl
  }

  get clientMetadata(): OAuthClientMetadata {
    return this.options.clientMetadata
  }

  /** A fresh random `state` for the authorization `auth()` is about to start. */
  async state(): Promise<string> {
    const bytes = crypto.getRandomValues(new Uint8Array(24))
    this.startedState = btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
    return this.startedState
  }

  /**
   * Whether `received` (the callback's `state` parameter) is the one stored with the pending
   * verifier. Check it before `auth(provider, { authorizationCode })`: a mismatch is a forged or
   * stale callback (RFC 6749 §10.12), and the code must not be exchanged.
   */
  async checkState(received: string | null | undefined): Promise<boolean> {
    const pending = (await this.record()).pending
    if (!pending?.state || typeof received !== 'string') return false
    return timingSafeEqualStrings(pending.state, received)
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    return ((await this.record()).client ?? undefined) as OAuthClientInformationMixed | undefined
  }

  async saveClientInformation(clientInformation: OAuthClientInformationMixed): Promise<void> {
    const { service, userId, serverId } = this.options
    refused(await service.saveOAuthClient(userId, serverId, { ...clientInformation }))
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    return ((await this.record()).tokens ?? undefined) as OAuthTokens | undefined
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    const { service, userId, serverId } = this.options
    const options = { clearPending: this.exchanging }
    refused(await service.saveOAuthTokens(userId, serverId, { ...tokens }, options))
    this.exchanging = false
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    await this.options.redirectToAuthorization(authorizationUrl)
  }

  async saveCodeVerifier(codeVerifier: string): Promise<void> {
    const { service, userId, serverId } = this.options
    const pending = { verifier: codeVerifier, state: this.startedState }
    refused(await service.saveOAuthPending(userId, serverId, pending))
    this.startedState = null
  }

  /** The verifier of the authorization in progress; throws once it is used, expired or gone. */
  async codeVerifier(): Promise<string> {
    const pending = (await this.record()).pending
    if (!pending)
      throw new Error(
        'No PKCE code verifier is stored for this server (used, or older than 10 minutes): start the authorization again.',
      )
    this.exchanging = true
    return pending.verifier
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    this.discovery = state
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    return this.discovery
  }

  async invalidateCredentials(
    scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery',
  ): Promise<void> {
    if (scope === 'discovery' || scope === 'all') this.discovery = undefined
    if (scope === 'discovery') return
    const { service, userId, serverId } = this.options
    refused(await service.clearOAuth(userId, serverId, scope))
  }

  private async record(): Promise<OAuthRecord> {
    const { service, userId, serverId } = this.options
    const record = (await service.getOAuth(userId, serverId)) as OAuthRecord | null
    if (!record) throw new Error(`OAuth storage: invalid userId or serverId ("${serverId}").`)
    return record
  }
}

/** Throws the service's refusal (bad input, unknown user) for the SDK's `auth()` to surface. */
function refused(result: OAuthWriteResult): void {
  if (!result.ok) throw new Error(`OAuth storage refused: ${result.code}: ${result.message}`)
}

/** Compares two strings without an early exit on the first difference. */
function timingSafeEqualStrings(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a)
  const y = new TextEncoder().encode(b)
  let diff = x.length ^ y.length
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}
