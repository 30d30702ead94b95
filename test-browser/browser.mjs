// Which Chromium the browser tests drive, and with which flags. Nothing has to be installed:
// CHROMIUM_PATH wins; else a system Chromium or Chrome at a usual place; else, on Linux x64, the
// Chromium inside the @sparticuz/chromium npm package (a dev dependency, unpacked into the temp
// directory on first use). Never `playwright install`: no browser downloads.
import { existsSync } from 'node:fs'

/** Flags for every browser: quiet, no network of its own, no GPU on a shared CI machine. */
const COMMON_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

// @sparticuz/chromium recommends flags for Lambda; these would switch off the very browser
// protections the tests check (same-origin policy, mixed content), so they are left out.
const WEAKENING_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content'])

const SYSTEM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
]

/**
 * `{executablePath, args, source}` for playwright-core's `launch`/`launchPersistentContext`.
 * CHROMIUM_BUNDLED=1 skips the system lookup (how the npm-packaged fallback is tested on a
 * machine that has a system browser).
 */
export async function chromiumLaunchOptions(env = process.env) {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH))
      throw new Error(`CHROMIUM_PATH names ${env.CHROMIUM_PATH}, which does not exist.`)
    return { executablePath: env.CHROMIUM_PATH, args: COMMON_ARGS, source: 'CHROMIUM_PATH' }
  }
  if (env.CHROMIUM_BUNDLED !== '1') {
    const found = SYSTEM_PATHS.find((path) => existsSync(path))
    if (found) return { executablePath: found, args: COMMON_ARGS, source: 'system' }
  }
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `No Chromium or Chrome found, and @sparticuz/chromium ships Linux x64 only (this is ` +
        `${process.platform}-${process.arch}): install Google Chrome or set CHROMIUM_PATH.`,
    )
  const { default: packaged } = await import('@sparticuz/chromium')
  const args = [...new Set([...packaged.args, ...COMMON_ARGS])].filter(
    (arg) => !WEAKENING_ARGS.has(arg),
  )
  return { executablePath: await packaged.executablePath(), args, source: '@sparticuz/chromium' }
}
