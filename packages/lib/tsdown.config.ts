// The library for other Workers, built from src/lib: ESM and one .d.ts for a Worker project
// (workers-types). Hono is the consumer's own copy (a peer), the MCP SDK an optional peer whose
// types the OAuth provider uses, jose a dependency; nothing of D1,
// drizzle or the service's routes may reach the bundle (the packing test checks).
import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: { index: '../../src/sdk/worker/index.ts' },
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  dts: { tsconfig: './tsconfig.json' },
  deps: {
    neverBundle: [/^hono(\/|$)/, /^jose$/, /^@modelcontextprotocol\/sdk(\/|$)/, /^cloudflare:/],
  },
  clean: true,
})
