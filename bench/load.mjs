// How one scenario of `npm run bench` (run.mjs) is run: a warm-up, one bounded autocannon run at
// saturation for throughput and, for scenarios with `latencyAt`, one at a fixed offered load for
// latency (wrk2-style: at saturation p99 only measures the queue in front of a local server on 2
// cores), each summarised into the row the report prints.
import autocannon from 'autocannon'
import { BASE_URL } from './service.mjs'

const WARMUP_REQUESTS = 100
const LATENCY_CONNECTIONS = 4

/** One bounded autocannon run; a watchdog stops it even if the server stops answering. */
export async function cannon(options, limitMs, url = BASE_URL) {
  const instance = autocannon({ url, timeout: 10, ...options })
  const watchdog = setTimeout(() => instance.stop(), limitMs)
  let lastResponseAt = Date.now()
  instance.on('response', () => (lastResponseAt = Date.now()))
  try {
    const result = await instance
    if (!options.amount) return result
    // autocannon notices that an `amount` run is over only at its next 1 s sample, so its duration
    // and per-second averages include up to a second of idleness; the last response is the end.
    return { ...result, activeSeconds: (lastResponseAt - result.start.getTime()) / 1000 }
  } finally {
    clearTimeout(watchdog)
  }
}

function summarize(name, result) {
  return {
    name,
    rps: result.activeSeconds
      ? result.requests.total / result.activeSeconds
      : result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
    statusCodes: result.statusCodeStats,
  }
}

/** A scenario's requests as autocannon options (top-level `path` is ignored by autocannon). */
async function requestOptions(scenario, ctx) {
  const options = await scenario.setup(ctx)
  return options.requests ? options : { requests: [options] }
}

export async function runScenario(scenario, ctx, { duration, connections }) {
  // Warm-up first (JIT, D1 and Durable Object start-up), with fresh setup so that state used up
  // by the warm-up, such as refresh sessions, does not leak into the measured run.
  const warmupAmount = Math.max(WARMUP_REQUESTS, connections)
  const warmup = await cannon(
    {
      ...(await requestOptions(scenario, { ...ctx, amount: warmupAmount })),
      connections,
      amount: warmupAmount,
    },
    30_000,
  )
  // A fixed amount is bounded by the watchdog alone: 60 s is far beyond any run of a few hundred.
  const amount = scenario.amount && Math.max(scenario.amount, connections)
  const measured = await cannon(
    {
      ...(await requestOptions(scenario, { ...ctx, amount })),
      connections,
      ...(amount ? { amount } : { duration }),
    },
    amount ? 60_000 : (duration + 15) * 1000,
  )
  const result = summarize(scenario.name, measured)
  result.warmupFailures = warmup.non2xx + warmup.errors
  if (scenario.latencyAt) {
    const paced = await cannon(
      {
        ...(await requestOptions(scenario, { ...ctx, connections: LATENCY_CONNECTIONS })),
        connections: LATENCY_CONNECTIONS,
        overallRate: scenario.latencyAt,
        duration,
      },
      (duration + 15) * 1000,
    )
    result.fixedRate = summarize(`${scenario.name} @ ${scenario.latencyAt}/s`, paced)
  }
  return result
}
