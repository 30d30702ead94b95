/**
 * The MCP SDK's `OAuthClientProvider` for another Worker (the MCP client app): one instance per
 * (user, server) and request, storing tokens, client information, the authorization in progress
 * (PKCE verifier and `state`) and the discovery state in this service over its RPC entrypoint,
 * credentials sealed per user as `/v1/oauth` keeps them. The SDK is imported for its types only;
 * the consumer brings it.
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
import type { OAuthRecord, OAuthWriteResult, StoredDiscoveryState } from '../../contract/api'
import type { SessionServiceApi } from '../../contract/rpc'

/** The part of the service binding the provider uses (`env.AUTH`). */
export type OAuthStorageService = Pick<
  Service<SessionServiceApi>,
  | 'getOAuth'
  | 'saveOAuthTokens'
  | 'saveOAuthClient'
  | 'saveOAuthPending'
  | 'saveOAuthDiscovery'
  | 'clearOAuth'
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

  /** Stored in the service, so the next request's `auth()` skips RFC 9728/8414 discovery. */
  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    const { service, userId, serverId } = this.options
    // A plain-data copy: the SDK's object is typed with index signatures RPC cannot carry.
    const discovery = JSON.parse(JSON.stringify(state)) as StoredDiscoveryState
    refused(await service.saveOAuthDiscovery(userId, serverId, discovery))
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    return ((await this.record()).discovery ?? undefined) as OAuthDiscoveryState | undefined
  }

  async invalidateCredentials(
    scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery',
  ): Promise<void> {
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
