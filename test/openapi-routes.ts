/** The routes of the served OpenAPI document, for suites that must cover every route. */
import { api } from './helpers'

export interface DocumentedRoute {
  method: string
  /** As documented: `/v1/documents/{id}`. */
  path: string
  params: string[]
  hasBody: boolean
}

interface Operation {
  requestBody?: unknown
}

export async function documentedRoutes(): Promise<DocumentedRoute[]> {
  const doc = await (
    await api('/openapi.json')
  ).json<{ paths: Record<string, Record<string, Operation>> }>()
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
      hasBody: op.requestBody !== undefined,
    })),
  )
}

/** The path with each `{param}` replaced by `values(param)`, URL-encoded. */
export function fillPath(route: DocumentedRoute, value: (param: string) => string): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(value(name)))
}
