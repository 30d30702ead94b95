/**
 * The published packages as a user gets them: `npm pack` (which builds each with tsdown), the
 * tarballs installed into a fresh project outside this repository, then a browser file
 * type-checked under the DOM lib alone, a Worker file under workers-types (both strict, with
 * exactOptionalPropertyTypes, library files checked too); the React bindings go into a second
 * fresh project with only react, react-dom and @types/react beside them; then the example consumer
 * Worker, built from those tarballs, runs beside the service in one `wrangler dev` (a service
 * binding, the real local queue), and the SDK runs on Node against it. One pack, two installs
 * (from npm's cache when it can), one wrangler start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkTarballFiles,
  REACT_ENTRY_BUDGET_BYTES,
  reactEntrySize,
} from '../scripts/pack-packages.mjs'
import {
  createConsumerProject,
  createReactProject,
  type ConsumerProject,
} from './consumer-project.mjs'
import { createAuthorizationServer } from '../test/user-data/oauth-records/authorization-server'
import { registerAccount, sparePort, startReadmeConsumer, type Service } from './harness.mjs'
import { serveFetch, type FetchServer } from './serve-fetch.mjs'

let project: ConsumerProject
let reactProject: ConsumerProject
let tarballs: string[]

beforeAll(async () => {
  const created = await createConsumerProject()
  project = created
  tarballs = Object.values(created.tarballs)
  reactProject = await createReactProject(created.tarballs)
}, 300_000)

afterAll(async () => {
  await reactProject?.remove()
  await project?.remove()
})

describe('the packed packages', () => {
  it('each carries its README, the licence and where it comes from', async () => {
    for (const tarball of tarballs) expect(() => checkTarballFiles(tarball)).not.toThrow()
    for (const name of ['client', 'lib', 'react']) {
      const dir = name === 'react' ? reactProject : project
      const manifest = await dir.readJson(`node_modules/@edge-session/${name}/package.json`)
      expect(manifest).toMatchObject({
        license: 'MIT',
        repository: { type: 'git', directory: `packages/${name}` },
        homepage: expect.stringMatching(/^https:\/\//),
        keywords: expect.arrayContaining(['session']),
      })
      const readme = await dir.readText(`node_modules/@edge-session/${name}/README.md`)
      expect(readme).toMatch(/## Install[\s\S]*npm install @edge-session\//)
      expect(readme).toMatch(/\]\(https:\/\/github\.com\/[^)]+#[a-z-]+\)/)
      expect(await dir.readText(`node_modules/@edge-session/${name}/LICENSE`)).toMatch(
        /^MIT License/,
      )
    }
  })

  it('the SDK has no runtime dependency and its bundle imports nothing', async () => {
    const manifest = await project.readJson('node_modules/@edge-session/client/package.json')
    expect(manifest.dependencies ?? {}).toEqual({})
    const code = await project.readText('node_modules/@edge-session/client/dist/index.js')
    expect(code).not.toMatch(/^\s*import\b/m)
  })

  it('the library takes Hono as a peer and bundles nothing of D1 or drizzle', async () => {
    const manifest = await project.readJson('node_modules/@edge-session/lib/package.json')
    expect(manifest.peerDependencies).toEqual({
      hono: expect.any(String),
      '@modelcontextprotocol/sdk': expect.any(String),
    })
    expect(manifest.peerDependenciesMeta['@modelcontextprotocol/sdk']).toEqual({ optional: true })
    expect(Object.keys(manifest.dependencies)).toEqual(['jose'])
    const code = await project.readText('node_modules/@edge-session/lib/dist/index.js')
    const imports = [...code.matchAll(/^import .* from "([^"]+)"/gm)].map((m) => m[1])
    expect(new Set(imports)).toEqual(new Set(['hono/cookie', 'hono/http-exception', 'jose']))
    expect(code).not.toMatch(/drizzle|D1Database|sqliteTable/)
  })

  it('a browser file type-checks under the DOM lib alone', async () => {
    const dom = { lib: ['ES2022', 'DOM'], types: [] }
    expect(await project.typecheck('browser', dom, ['browser.ts'])).toBe('')
  })

  it('a Worker file type-checks under workers-types', async () => {
    const workers = { lib: ['ES2023'], types: ['@cloudflare/workers-types'] }
    expect(await project.typecheck('worker', workers, ['worker.ts'])).toBe('')
  })

  it('a mistake in a consumer file still fails the check', async () => {
    await project.writeFile(
      'wrong.ts',
      "import { createSessionClient } from '@edge-session/client'\ncreateSessionClient({ baseUrl: 1 })\n",
    )
    const dom = { lib: ['ES2022', 'DOM'], types: [] }
    expect(await project.typecheck('wrong', dom, ['wrong.ts'])).toMatch(/error TS2322/)
  })
})

describe('the packed React bindings', () => {
  const dom = { lib: ['ES2022', 'DOM'], types: [], jsx: 'react-jsx' }

  it('take React and the SDK as peers and import nothing but React at run time', async () => {
    const manifest = await reactProject.readJson('node_modules/@edge-session/react/package.json')
    expect(manifest.dependencies ?? {}).toEqual({})
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['@edge-session/client', 'react'])
    const code = await reactProject.readText('node_modules/@edge-session/react/dist/index.js')
    const imports = [...code.matchAll(/^import .* from "([^"]+)"/gm)].map((m) => m[1])
    // The components are JSX: React's own automatic runtime (React 17 and later) is React too.
    expect(imports.sort()).toEqual(['react', 'react/jsx-runtime'])
  })

  it('type-check in an app with only react, react-dom and @types/react beside them', async () => {
    const installed = await reactProject.readJson('package.json')
    expect(Object.keys(installed.dependencies).sort()).toEqual([
      '@edge-session/client',
      '@edge-session/react',
      '@types/react',
      'react',
      'react-dom',
    ])
    // A status that does not exist must fail; one tsc run checks both files (it is the slow part).
    await reactProject.writeFile(
      'wrong.tsx',
      "import { useSession } from '@edge-session/react'\n" +
        "export const Wrong = () => <p>{useSession().status === 'signed_in' ? 1 : 0}</p>\n",
    )
    const report = await reactProject.typecheck('react', dom, ['react-app.tsx', 'wrong.tsx'])
    const errors = report.split('\n').filter((line) => /error TS/.test(line))
    expect(errors).toEqual([expect.stringMatching(/^wrong\.tsx\(2,\d+\): error TS2367:/)])
  })

  it('render on a server as loading, touching no window and calling no service', async () => {
    expect((await reactProject.runNode('render-react.mjs')).trim()).toBe('<p>loading:nobody</p>')
  })

  it('stay within the gzip budget, minified', async () => {
    const size = await reactEntrySize()
    console.log(`@edge-session/react entry: ${size.minified} B minified, ${size.gzip} B gzip`)
    expect(size.gzip).toBeLessThanOrEqual(REACT_ENTRY_BUDGET_BYTES)
  })
})

describe('the example consumer Worker and the packed SDK against the service, one wrangler dev', () => {
  // The in-test MCP resource and authorization server, on loopback where the Worker can reach it.
  const mcp = {} as { server: ReturnType<typeof createAuthorizationServer>; origin: string }
  let listener: FetchServer
  let service: Service

  beforeAll(async () => {
    listener = await serveFetch((request) => mcp.server.fetch(request))
    mcp.origin = listener.origin
    mcp.server = createAuthorizationServer({ resource: `${mcp.origin}/mcp`, issuer: mcp.origin })
    const port = await sparePort()
    const origin = `http://127.0.0.1:${port}`
    const repoDir = await project.writeRepositoryCopy({
      // What the README's `node scripts/dev-vars.mjs` step puts in the service's tokens.
      SERVICE_ISSUER: origin,
      SERVICE_AUDIENCE: origin,
      MCP_SERVER_URL: `${mcp.origin}/mcp`,
    })
    // The README's own commands, as written; ready once the consumer answers and the service
    // behind its binding does too.
    service = await startReadmeConsumer({ repoDir, port, readyPath: '/.well-known/jwks.json' })
  }, 240_000)

  afterAll(async () => {
    await service?.stop()
    await listener?.close()
  })

  const call = (path: string, accessToken: string, init: RequestInit = {}) =>
    fetch(`${service.baseUrl}${path}`, {
      redirect: 'manual',
      ...init,
      headers: { Authorization: `Bearer ${accessToken}`, ...init.headers },
    })

  /** A token-transport session, through the consumer's proxy of the service's /v1 routes. */
  async function anonymous() {
    const res = await fetch(`${service.baseUrl}/v1/sessions/anonymous`, {
      method: 'POST',
      headers: { 'X-Session-Transport': 'token' },
    })
    expect(res.status).toBe(201)
    const body = (await res.json()) as SignedIn
    return { userId: body.user.id, ...body.tokens }
  }

  it('the packed SDK on Node: anonymous, refresh, register and confirm with a merge, sign-in by password', async () => {
    const seen = JSON.parse(await project.runNode('run-sdk.mjs', { BASE_URL: service.baseUrl }))
    expect(seen.anonymous).toMatchObject({ id: expect.stringMatching(/^anon_/), isAnonymous: true })
    expect(seen.rotated).toBe(true)
    expect(seen.me).toBe(seen.anonymous.id)
    expect(seen.sent).toEqual({ sent: true })
    expect(seen.registered.user).toMatchObject({ id: expect.stringMatching(/^usr_/) })
    expect(seen.registered.merge).toMatchObject({
      from: seen.anonymous.id,
      into: seen.registered.user.id,
    })
    expect(seen.login).toEqual({ user: seen.registered.user, merge: null })
    expect(seen.after).toBe(seen.registered.user.id)
  })

  it('refuses a revoked session at once where the consumer asks verify(…, { fresh: true })', async () => {
    const s = await anonymous()
    expect((await call('/api/notes', s.accessToken, { method: 'PUT', body: 'kept' })).status).toBe(
      204,
    )
    const logout = await call('/v1/auth/logout', s.accessToken, { method: 'POST' })
    expect(logout.status).toBe(204)
    // The access token itself is still unexpired: the middleware alone accepts it…
    const read = await call('/api/notes', s.accessToken)
    expect(await read.json()).toEqual({ note: 'kept' })
    // …while the route that asks the session's object refuses it, and deletes nothing.
    const del = await call('/api/notes', s.accessToken, { method: 'DELETE' })
    expect(del.status).toBe(401)
    expect(await del.json()).toMatchObject({ error: { code: 'session_revoked' } })
    expect(await (await call('/api/notes', s.accessToken)).json()).toEqual({ note: 'kept' })
  })

  it('moves a note from anon_ to usr_ when the consumer’s queue handler gets user.merged', async () => {
    const s = await anonymous()
    await call('/api/notes', s.accessToken, { method: 'PUT', body: 'from before sign-up' })
    const account = await registerAccount(service.baseUrl, {
      email: `merge-${Date.now()}@example.com`,
      password: 'a long enough passphrase 42',
      refreshToken: s.refreshToken,
    })
    expect(account.merge).toMatchObject({ from: s.userId, into: account.user.id })
    // The queue delivers asynchronously (max_batch_timeout = 1 s in the example's config).
    let note: unknown = null
    for (let i = 0; i < 60 && note === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      note = ((await (await call('/api/notes', account.tokens.accessToken)).json()) as Note).note
    }
    expect(note).toBe('from before sign-up')
    // Moved, not copied: nothing is left under the anonymous id.
    expect(await (await call('/api/notes', s.accessToken)).json()).toEqual({ note: null })
  })

  it('connects to an MCP server: the SDK’s auth() completes, its records stored in the service', async () => {
    const s = await anonymous()
    const connect = await call('/api/mcp/connect', s.accessToken)
    expect(connect.status).toBe(302)
    const authorizationUrl = new URL(connect.headers.get('Location')!)
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${mcp.origin}/authorize`)
    const state = authorizationUrl.searchParams.get('state')!
    const discovered = mcp.server.requests.length

    // A forged state is refused before any code is exchanged.
    const code = mcp.server.approve(authorizationUrl)
    const forged = await call(`/api/mcp/callback?code=${code}&state=${state}x`, s.accessToken)
    expect(forged.status).toBe(400)
    const callback = await call(`/api/mcp/callback?code=${code}&state=${state}`, s.accessToken)
    expect(await callback.json()).toEqual({ result: 'AUTHORIZED' })
    // A later request's provider took the discovery state from the service, not the network.
    expect(mcp.server.requests.slice(discovered)).toEqual([`POST ${mcp.origin}/token`])

    // Stored in the service for this user, as its own HTTP API serves them; the verifier is used up.
    const tokens = await call('/v1/oauth/example-mcp/tokens', s.accessToken)
    expect(await tokens.json()).toMatchObject({
      access_token: expect.stringMatching(/^at-/),
      refresh_token: expect.stringMatching(/^rt-/),
    })
    const client = await call('/v1/oauth/example-mcp/client', s.accessToken)
    expect(await client.json()).toMatchObject({ client_id: expect.stringMatching(/^client-/) })
    expect((await call('/v1/oauth/example-mcp/verifier', s.accessToken)).status).toBe(404)
  })
})

interface SignedIn {
  user: { id: string }
  tokens: { accessToken: string; refreshToken: string }
}

interface Note {
  note: string | null
}
