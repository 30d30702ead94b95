// Builds the React example into public/react/ (git-ignored), which the service serves at /react/
// when DEMO=true: same origin as the API, so the SDK's cookie transport needs no CORS. The SDK
// and the bindings come from their sources, so no package has to be built first. One script
// file with a fixed name, since the Worker names each asset it serves.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const from = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  root: from('.'),
  base: '/react/',
  logLevel: 'warn',
  resolve: {
    alias: {
      '@edge-session/client': from('../../src/sdk/client/index.ts'),
      '@edge-session/react': from('../../packages/react/src/index.ts'),
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: from('../../public/react'),
    emptyOutDir: true,
    target: 'es2022',
    // Its inline polyfill script would need a CSP exception; every browser we test has modulepreload.
    modulePreload: { polyfill: false },
    rolldownOptions: { output: { entryFileNames: 'app.js', chunkFileNames: 'app-[name].js' } },
  },
})
