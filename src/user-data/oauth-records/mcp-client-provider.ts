/**
 * The MCP TypeScript SDK's `OAuthClientProvider` over our OAuth store: one instance speaks for one
 * user and one server, and everything the SDK's `auth()` saves lands sealed in D1, the same rows
 * `/v1/oauth` serves. The SDK is imported for its types only, so none of it is bundled into the
 * Worker; a caller that runs `auth()` brings the SDK itself.
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
import { invalidRequest } from '../../platform/errors'
import {
  clearOAuthRecord,
  isServerId,
  readOAuthClient,
  readOAuthDiscovery,
  readOAuthTokens,
  readOAuthVerifier,
  saveOAuthClient,
  saveOAuthDiscovery,
  saveOAuthTokens,
  saveOAuthVerifier,
  type OAuthRecordKey,
  type OAuthStore,
} from './service'

/** The scopes the SDK may ask to invalidate. */
export type InvalidationScope = Parameters<
  NonNullable<OAuthClientProvider['invalidateCredentials']>
>[0]

export interface StoredOAuthClientProviderOptions {
  /** The D1 handle and per-user keys; a `Runtime` is one. */
  store: OAuthStore
  userId: string
  /** Our name for the server the tokens are for (`SERVER_ID_PATTERN`). */
  serverId: string
  /** Where the authorization server sends the user back with `code` and `state`. */
  redirectUrl: string | URL
  clientMetadata: OAuthClientMetadata
  /**
   * Sends the user to the authorization server. A Worker cannot open a browser: typically this
   * remembers the URL so the handler can answer with a redirect to it.
   */
  redirectToAuthorization: (authorizationUrl: URL) => void | Promise<void>
  /** The OAuth `state` to send; the callback uses it to find the user and server again. */
  state?: () => string | Promise<string>
  /** SEP-991: a URL-based client id, used when the authorization server supports it. */
  clientMetadataUrl?: string
}

/**
 * `OAuthClientProvider` for one user and one server, persisted in `oauth_records`.
 * @example
 * const provider = new StoredOAuthClientProvider({ store: rt, userId, serverId: 'github',
 *   redirectUrl, clientMetadata, redirectToAuthorization: (url) => { location = url } })
 * await auth(provider, { serverUrl: 'https://mcp.example.com/mcp' })
 */
export class StoredOAuthClientProvider implements OAuthClientProvider {
  readonly clientMetadataUrl?: string
  readonly state?: () => string | Promise<string>
  private readonly store: OAuthStore
  private readonly key: OAuthRecordKey

  constructor(private readonly options: StoredOAuthClientProviderOptions) {
    if (!isServerId(options.serverId))
      throw invalidRequest(
        'serverId: must be 1 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-"',
      )
    this.store = options.store
    this.key = { userId: options.userId, serverId: options.serverId }
    // Defined only when given: the SDK sends a `state` parameter only if the method exists.
    if (options.state) this.state = options.state
    if (options.clientMetadataUrl) this.clientMetadataUrl = options.clientMetadataUrl
  }

  get redirectUrl(): string | URL {
    return this.options.redirectUrl
  }

  get clientMetadata(): OAuthClientMetadata {
    return this.options.clientMetadata
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    // Stored either by the SDK or through PUT /client, which checks the SDK's field types.
    return ((await readOAuthClient(this.store, this.key)) ?? undefined) as
      OAuthClientInformationMixed | undefined
  }

  async saveClientInformation(clientInformation: OAuthClientInformationMixed): Promise<void> {
    await saveOAuthClient(this.store, this.key, clientInformation, Date.now())
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    return ((await readOAuthTokens(this.store, this.key)) ?? undefined) as OAuthTokens | undefined
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    await saveOAuthTokens(this.store, this.key, tokens, Date.now())
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    await this.options.redirectToAuthorization(authorizationUrl)
  }

  async saveCodeVerifier(codeVerifier: string): Promise<void> {
    await saveOAuthVerifier(this.store, this.key, codeVerifier, Date.now())
  }

  /** The verifier saved before the redirect; a 400 once it is 10 minutes old or gone. */
  async codeVerifier(): Promise<string> {
    const verifier = await readOAuthVerifier(this.store, this.key, Date.now())
    if (verifier === null)
      throw invalidRequest(
        'No PKCE code verifier is stored for this server, or it expired after 10 minutes; start the authorization again.',
      )
    return verifier
  }

  /** Kept per (user, server), so a later `auth()` skips RFC 9728/8414 discovery. */
  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    await saveOAuthDiscovery(this.store, this.key, { ...state }, Date.now())
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    return ((await readOAuthDiscovery(this.store, this.key)) ?? undefined) as
      OAuthDiscoveryState | undefined
  }

  /** Forgets what the server said is no longer valid. */
  async invalidateCredentials(scope: InvalidationScope): Promise<void> {
    await clearOAuthRecord(this.store, this.key, scope, Date.now())
  }
}
