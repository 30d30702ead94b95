// The browser SDK, built from src/client (the service's demo bundles the same sources): ESM and
// one .d.ts that needs only the DOM lib, no runtime dependencies.
import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: { index: '../../src/sdk/client/index.ts' },
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  dts: { tsconfig: './tsconfig.json' },
  clean: true,
})
