/** Which Chromium the browser tests get: CHROMIUM_PATH, a system browser, or the npm-packaged one. */
import { chromium } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from './browser.mjs'

describe('the browser the tests drive', () => {
  it('refuses a CHROMIUM_PATH that does not exist, naming it', async () => {
    await expect(chromiumLaunchOptions({ CHROMIUM_PATH: '/nowhere/chromium' })).rejects.toThrow(
      /\/nowhere\/chromium/,
    )
  })

  it('takes CHROMIUM_PATH over anything else', async () => {
    const options = await chromiumLaunchOptions({ CHROMIUM_PATH: process.execPath })
    expect(options).toMatchObject({ executablePath: process.execPath, source: 'CHROMIUM_PATH' })
  })

  it.runIf(process.platform === 'linux' && process.arch === 'x64')(
    'launches the npm-packaged Chromium when the system lookup is skipped, with no weakening flags',
    async () => {
      const options = await chromiumLaunchOptions({ CHROMIUM_BUNDLED: '1' })
      expect(options.source).toBe('@sparticuz/chromium')
      expect(options.args).not.toContain('--disable-web-security')
      const browser = await chromium.launch({
        executablePath: options.executablePath,
        args: options.args,
      })
      try {
        const page = await browser.newPage()
        await page.setContent('<p id="x">rendered</p>')
        expect(await page.textContent('#x')).toBe('rendered')
      } finally {
        await browser.close()
      }
    },
  )
})
