// The React bindings: ESM and one .d.ts. React and the SDK are peers, so neither is bundled: the
// app's own React renders, and the client the app created is the one whose changes it hears.
import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: { index: './src/index.ts' },
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  dts: { tsconfig: './tsconfig.json' },
  clean: true,
})
