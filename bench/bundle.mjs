// The deployable bundle's size: `wrangler deploy --dry-run --outdir <dir>` bundles the Worker as a
// deploy would (from the working tree as it is now) without uploading, and its worker.js (named after src/worker.ts) is gzipped
// here with zlib level 9. Wrangler's own "Total Upload … / gzip: …" line is kept as a cross-check.
import { execFile } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

/** Issue #26's goal for the deployed bundle. */
export const BUNDLE_GOAL_GZIP_BYTES = 160 * 1024

export async function measureBundle(root, outdir) {
  rmSync(outdir, { recursive: true, force: true })
  const start = performance.now()
  const output = await new Promise((resolve, reject) => {
    execFile(
      'npx',
      ['wrangler', 'deploy', '--dry-run', '--outdir', outdir],
      {
        cwd: root,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n')
          reject(new Error(`wrangler deploy --dry-run failed: ${tail}`))
        } else resolve(`${stdout}\n${stderr}`)
      },
    )
  })
  const buildMs = performance.now() - start
  const code = readFileSync(join(outdir, 'worker.js'))
  const gzipped = gzipSync(code, { level: 9 })
  const wrangler = output.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/)
  return {
    file: join(outdir, 'worker.js'),
    rawBytes: code.length,
    gzipBytes: gzipped.length,
    gzipLevel: 9,
    buildMs,
    wranglerReport: wrangler
      ? { totalKiB: Number(wrangler[1]), gzipKiB: Number(wrangler[2]) }
      : null,
  }
}

export function printBundle(bundle) {
  if (bundle.error) {
    console.log(`\nBundle: not measured (${bundle.error.split('\n')[0]})`)
    return
  }
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`
  const check = bundle.wranglerReport
    ? ` (wrangler's own report: ${bundle.wranglerReport.totalKiB} KiB / gzip ${bundle.wranglerReport.gzipKiB} KiB)`
    : ''
  const goal = bundle.gzipBytes <= BUNDLE_GOAL_GZIP_BYTES ? 'MET' : 'MISSED'
  console.log(
    `\nBundle (wrangler deploy --dry-run, worker.js): ${kb(bundle.rawBytes)} raw, ` +
      `${kb(bundle.gzipBytes)} gzip -9${check}; goal <= 160 KiB gzip ${goal}`,
  )
}
