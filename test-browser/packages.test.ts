/**
 * The published packages as a user gets them: `npm pack` (which builds each with tsdown), the
 * tarballs installed into a fresh project outside this repository, then a browser file
 * type-checked under the DOM lib alone, a Worker file under workers-types (both strict, with
 * exactOptionalPropertyTypes, library files checked too), and the SDK run on Node against the
 * service under `wrangler dev`. The React bindings go into a second fresh project with only
 * react, react-dom and @types/react beside them. One pack, two installs, from npm's cache when
 * it can.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REACT_ENTRY_BUDGET_BYTES, reactEntrySize } from '../scripts/pack-packages.mjs'
import {
  createConsumerProject,
  createReactProject,
  type ConsumerProject,
} from './consumer-project.mjs'
import { startService, type Service } from './harness.mjs'

let project: ConsumerProject
let reactProject: ConsumerProject

beforeAll(async () => {
  const created = await createConsumerProject()
  project = created
  reactProject = await createReactProject(created.tarballs)
}, 300_000)

afterAll(async () => {
  await reactProject?.remove()
  await project?.remove()
})

describe('the packed packages', () => {
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
    expect(imports).toEqual(['react'])
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

describe('the packed SDK on Node against the service', () => {
  let service: Service

  beforeAll(async () => {
    service = await startService()
  }, 180_000)

  afterAll(async () => {
    await service?.stop()
  })

  it('starts anonymous, refreshes, registers with a merge and signs in by password', async () => {
    const seen = JSON.parse(await project.runNode('run-sdk.mjs', { BASE_URL: service.baseUrl }))
    expect(seen.anonymous).toMatchObject({ id: expect.stringMatching(/^anon_/), isAnonymous: true })
    expect(seen.rotated).toBe(true)
    expect(seen.me).toBe(seen.anonymous.id)
    expect(seen.registered.user).toMatchObject({ id: expect.stringMatching(/^usr_/) })
    expect(seen.registered.merge).toMatchObject({
      from: seen.anonymous.id,
      into: seen.registered.user.id,
    })
    expect(seen.login).toEqual({ user: seen.registered.user, merge: null })
    expect(seen.after).toBe(seen.registered.user.id)
  })
})
