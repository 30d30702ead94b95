/** Types of build-assets.mjs, for the drift test in test-browser/. */

/** Absolute path of src/demo/assets.ts. */
export const ASSETS_PATH: string
/** The SDK bundled as one browser ES module, and its inputs relative to the project root. */
export function bundleClient(): Promise<{ code: string; inputs: string[] }>
/** The text src/demo/assets.ts should have now. */
export function renderAssets(): Promise<string>
