/**
 * Counts that must not cost a D1 write per request (D1 has one writer, and these happen on every
 * first visit or during a flood): sessions issued, rate-limit refusals. They go to Workers
 * Analytics Engine (`[[analytics_engine_datasets]]` binding ANALYTICS), whose `writeDataPoint` is
 * fire-and-forget: nothing is awaited, and a failure to count never fails the request.
 *
 * One data point per event: index1 and blob1 the event name, blob2 its detail (the limiter's
 * name), double1 = 1. Query with the SQL API, e.g. `SELECT blob1, SUM(_sample_interval) ... GROUP BY blob1`
 * (README, "Counting without D1").
 */

export type CountedEvent = 'session.issued' | 'rate_limit.hit'

export interface Analytics {
  count(event: CountedEvent, detail?: string): void
}

export function createAnalytics(dataset: AnalyticsEngineDataset | undefined): Analytics {
  return {
    count(event, detail = '') {
      if (!dataset) return
      try {
        dataset.writeDataPoint({ indexes: [event], blobs: [event, detail], doubles: [1] })
      } catch (error) {
        // Counting is best-effort by design; the request it counts goes on.
        console.warn(JSON.stringify({ msg: 'analytics write failed', event, error: String(error) }))
      }
    },
  }
}
