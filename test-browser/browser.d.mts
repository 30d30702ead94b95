/** Types of browser.mjs, for the TypeScript tests beside it. */

export interface ChromiumLaunchOptions {
  executablePath: string
  args: string[]
  /** Where the browser came from: `CHROMIUM_PATH`, `system` or `@sparticuz/chromium`. */
  source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium'
}

/** CHROMIUM_PATH, else a system Chromium/Chrome, else (Linux x64) the npm-packaged one. */
export function chromiumLaunchOptions(
  env?: Record<string, string | undefined>,
): Promise<ChromiumLaunchOptions>
