// The admin API over HTTP, one method per endpoint. `fetch` is injectable so the same code can
// be driven in tests; errors arrive as AdminApiError with the contract's code and message.

export class AdminApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.name = 'AdminApiError'
    this.status = status
    this.code = code
  }
}

export function createAdminClient({ url, token, fetch = globalThis.fetch }) {
  async function call(method, path, body) {
    let res
    try {
      res = await fetch(`${url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (error) {
      throw new AdminApiError(0, 'network_error', `Could not reach ${url}: ${error.message}`)
    }
    if (res.status === 204) return null
    const answer = await res.json().catch(() => null)
    if (!res.ok)
      throw new AdminApiError(
        res.status,
        answer?.error?.code ?? 'http_error',
        answer?.error?.message ?? `${method} ${path} answered ${res.status}.`,
      )
    return answer
  }
  const id = (value) => encodeURIComponent(value)
  return {
    listKeys: () => call('GET', '/v1/admin/keys'),
    rotateKey: () => call('POST', '/v1/admin/keys/rotate'),
    killSwitch: () => call('POST', '/v1/admin/kill-switch'),
    sweep: () => call('POST', '/v1/admin/sweep'),
    metrics: () => call('GET', '/v1/admin/metrics'),
    listUsers: ({ query, cursor, limit } = {}) => {
      const params = new URLSearchParams()
      if (query) params.set('query', query)
      if (cursor) params.set('cursor', cursor)
      if (limit) params.set('limit', String(limit))
      const search = params.size ? `?${params}` : ''
      return call('GET', `/v1/admin/users${search}`)
    },
    showUser: (userId) => call('GET', `/v1/admin/users/${id(userId)}`),
    setRole: (userId, role) => call('PUT', `/v1/admin/users/${id(userId)}/role`, { role }),
    revokeSessions: (userId) => call('POST', `/v1/admin/users/${id(userId)}/revoke-sessions`),
    eraseUser: (userId) => call('DELETE', `/v1/admin/users/${id(userId)}`),
    importInstall: (body) => call('POST', '/v1/admin/import', body),
    listIdentities: (userId) => call('GET', `/v1/admin/users/${id(userId)}/identities`),
    removeIdentity: (userId, identityId) =>
      call('DELETE', `/v1/admin/users/${id(userId)}/identities/${id(identityId)}`),
    listPasskeys: (userId) => call('GET', `/v1/admin/users/${id(userId)}/passkeys`),
    removePasskey: (userId, passkeyId) =>
      call('DELETE', `/v1/admin/users/${id(userId)}/passkeys/${id(passkeyId)}`),
    listFactors: (userId) => call('GET', `/v1/admin/users/${id(userId)}/factors`),
    removeFactors: (userId) => call('DELETE', `/v1/admin/users/${id(userId)}/factors`),
  }
}
