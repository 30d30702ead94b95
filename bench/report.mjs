// The printed report of `npm run bench` (run.mjs) and its JSON copy, bench/output/latest.json.
// Every ratio is against the /healthz ceiling measured in the same run: the numbers are local and
// relative, not production's.
import { writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

export function printPbkdf2(pbkdf2, login) {
  const ms = format(pbkdf2.msPerCall)
  const iterations = pbkdf2.iterations.toLocaleString('en-US')
  const ceiling = pbkdf2.singleCoreCeilingRps
  console.log(`\nPBKDF2-SHA256 x${iterations}: ${ms} ms per call (Node, this machine)`)
  console.log(`  single-core login ceiling: 1000 / ${ms} = ${format(ceiling)} req/s`)
  if (login) {
    const share = format((100 * login.rps) / ceiling)
    console.log(`  login: ${format(login.rps)} req/s = ${share}% of that ceiling`)
  }
}

function format(number, digits = 1) {
  return Number.isFinite(number) ? number.toFixed(digits) : '-'
}

export function printTable(results, ceiling) {
  const rows = results.flatMap((r) => [
    row(r, ceiling),
    ...(r.fixedRate ? [row(r.fixedRate, ceiling)] : []),
  ])
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs ceiling']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((cells) => cells[i].length)))
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const cells of rows) console.log(line(cells))
}

function row(r, ceiling) {
  return [
    r.name,
    format(r.rps),
    format(r.p50),
    format(r.p99),
    String(r.non2xx),
    String(r.errors),
    `${format((100 * r.rps) / ceiling.rps)}%`,
  ]
}

export function printTargets(targets) {
  console.log('\nTargets:')
  for (const t of targets) console.log(`  ${t.met ? 'MET   ' : 'MISSED'}  ${t.name}: ${t.target}`)
}

/** The results whose figures describe error paths rather than the endpoint; printed, returned. */
export function reportFailures(results) {
  const failed = results.filter(
    (r) => r.non2xx || r.errors || r.warmupFailures || r.fixedRate?.non2xx || r.fixedRate?.errors,
  )
  for (const r of failed) {
    console.error(
      `\n${r.name}: ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts), ` +
        `${r.warmupFailures} warm-up failures; status codes ${JSON.stringify(r.statusCodes)}`,
    )
  }
  return failed
}

export function printSurvival(survival) {
  const { before, after } = survival
  const n = (v) => v.toLocaleString('en-US')
  console.log(
    `\nScale survival${survival.afterSweep ? ' after the sweep phase' : ' (no sweep phase ran)'}: ` +
      `recent anonymous users ${n(before.anonymous)} -> ${n(after.anonymous)}, ` +
      `accounts ${n(before.accounts)} -> ${n(after.accounts)}: ` +
      (survival.kept ? 'all kept' : 'FAILED, seeded users were deleted'),
  )
}

export function printRestarts(restarts) {
  for (const r of restarts) {
    console.log(
      `  WARNING: a new workerd (pid ${r.pid}) started ${r.atSeconds.toFixed(0)} s after the service, during ` +
        `${r.phase}: the runtime restarted (wrangler dev reloads on file changes); figures of ` +
        'that phase are disturbed',
    )
  }
}

export function printLoad(loadBefore, loadAfter, durationMs) {
  const loads = (l) => l.map((v) => v.toFixed(2)).join(' ')
  console.log(
    `\nLoad average (1/5/15 min): ${loads(loadBefore)} before, ${loads(loadAfter)} after, on ` +
      `${availableParallelism()} cores; whole run ${(durationMs / 1000).toFixed(0)} s`,
  )
}

/** Writes bench/output/latest.json: everything printed, and the raw figures behind it. */
export function writeLatest(outputPath, report) {
  const { results, scale, options } = report
  writeFileSync(
    outputPath,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        baseUrl: report.baseUrl,
        options,
        pbkdf2: report.pbkdf2,
        results,
        targets: report.targets,
        sweep: report.sweep,
        anonymous: report.anonymous,
        scale: scale && {
          accounts: options.scaleAccounts,
          anonymous: options.scaleAnonymous,
          seed: scale.seed,
          // The scenarios that ran against the seed; their figures are in `results`.
          scenarios: {
            login: {
              ...results.find((r) => r.name === 'login'),
              emailsUsed: scale.cursor.used.login,
            },
            magicLinkVerify: {
              ...results.find((r) => r.name === 'magic-link verify'),
              emailsUsed: scale.cursor.used.magicLink,
            },
          },
          emailLookup: report.emailLookup,
          survival: report.survival,
        },
        memory: report.memory,
        runtimeRestarts: report.restarts,
        snapshot: report.snapshot,
        bundle: report.bundle,
        load: report.load,
        durationMs: report.durationMs,
      },
      null,
      2,
    ) + '\n',
  )
}
