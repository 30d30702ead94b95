/**
 * public/demo/client.js is generated (npm run build:assets) from src/sdk/client/, because the Worker
 * cannot bundle at run time; every npm script that serves or tests runs the build first. This
 * checks what the build produces.
 */
import { describe, expect, it } from 'vitest'
import { bundleClient } from '../scripts/build-assets.mjs'

describe('the demo assets', () => {
  it('bundle the SDK from src/sdk/client/ alone: no server code, no zod, no hono', async () => {
    const { code, inputs } = await bundleClient()
    // The error vocabulary is shared with the service by design: a leaf that imports nothing.
    // @simplewebauthn/browser is the SDK's one browser dependency (the passkey ceremonies).
    const shared = (path: string) =>
      path.startsWith('src/sdk/client/') ||
      path === 'src/contract/error-codes.ts' ||
      path.startsWith('node_modules/@simplewebauthn/browser/')
    expect(inputs.filter((path: string) => !shared(path))).toEqual([])
    expect(code).not.toMatch(/\bfrom\s+['"]/)
    // Unminified, comments kept: a guard against server code slipping in, not the shipped size
    // (README: about 11 KB minified and gzipped). getToken/fetch and the CORS probe took it past
    // 50 KB, provider sign-in and the second factor past 60 KB; server code would add hundreds.
    expect(code.length).toBeLessThan(75_000)
  })
})
