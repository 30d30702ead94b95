/**
 * Completes the generated OpenAPI document with what the app-wide middleware does to every
 * operation, so no route has to repeat it: the transport header on /v1, 403 `csrf_rejected` on
 * /v1 writes, 415 on JSON bodies, 503 `misconfigured` anywhere, and the cookies
 * set by answers that carry a session. Route-specific facts (security, 401, 404, 429) stay on the
 * route.
 */
import {
  errorResponseComponents,
  errorResponseRef,
  HEADERS,
  SESSION_TRANSPORT_PARAMETER,
} from './components'

interface Operation {
  security?: Array<Record<string, string[]>>
  parameters?: unknown[]
  requestBody?: unknown
  responses: Record<string, Response>
}

interface Response {
  headers?: Record<string, unknown>
  content?: Record<string, { schema?: { $ref?: string } }>
}

interface Document {
  servers?: unknown[]
  paths?: Record<string, Record<string, Operation>>
  components?: Record<string, Record<string, unknown> | undefined>
}

const UNSAFE_METHODS = new Set(['post', 'put', 'patch', 'delete'])

/** Success schemas that carry a session: their answers set both cookies in cookie transport. */
const SESSION_SCHEMAS = new Set(['#/components/schemas/UserSession', '#/components/schemas/SignIn'])

/**
 * The generated document with its shared components and the app-wide answers. Its server is this
 * origin (`/`) until it is served, when the configured public origin replaces it.
 */
export function completeDocument<T extends object>(generated: T): T {
  const doc = structuredClone(generated) as Document
  doc.servers = [{ url: '/', description: 'This service' }]
  doc.components = {
    ...doc.components,
    responses: { ...doc.components?.responses, ...errorResponseComponents() },
    headers: { ...doc.components?.headers, ...HEADERS },
    parameters: { ...doc.components?.parameters, SessionTransport: SESSION_TRANSPORT_PARAMETER },
  }
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(operations)) {
      if (path.startsWith('/v1/'))
        op.parameters = [
          ...(op.parameters ?? []),
          { $ref: '#/components/parameters/SessionTransport' },
        ]
      const add = (status: 403 | 415 | 503) => {
        op.responses[status] ??= errorResponseRef(status) as Response
      }
      // The origin check refuses any /v1 write without an allowed Origin, Authorization or the
      // transport header, session or not (src/http/origin-check.ts).
      if (UNSAFE_METHODS.has(method) && path.startsWith('/v1/')) add(403)
      if (op.requestBody) add(415)
      add(503)
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content?.['application/json']?.schema?.$ref
        if (status.startsWith('2') && schema && SESSION_SCHEMAS.has(schema))
          response.headers = {
            ...response.headers,
            'Set-Cookie': { $ref: '#/components/headers/SetCookie' },
          }
      }
    }
  }
  return doc as T
}
