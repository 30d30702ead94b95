/** Types of build-assets.mjs, for the tests in test-browser/. */

/** Absolute path of the generated public/openapi.json. */
export const API_DOCUMENT_PATH: string
/** Absolute path of the generated public/demo/client.js. */
export const CLIENT_PATH: string
/** Absolute path of the copied public/docs/redoc.standalone.js. */
export const RENDERER_PATH: string
/** The SDK bundled as one browser ES module, and its inputs relative to the project root. */
export function bundleClient(): Promise<{ code: string; inputs: string[] }>
/** Absolute path of the generated public/react/ (the React example built by Vite). */
export const REACT_EXAMPLE_DIR: string
/** Builds examples/react into public/react/; resolves to that directory. */
export function buildReactExample(): Promise<string>
/** Writes every generated asset; resolves to their paths relative to the project root. */
export function buildAssets(): Promise<string[]>
