/**
 * The events slice's retention rules: the outbox's leftovers are sent, and audit trails are kept
 * 90 days and within each user's events quota.
 */
import { lt, sql } from 'drizzle-orm'
import { auditEvents } from '../platform/db/schema'
import { DAY_MS, deleteRowsWhere, type RetentionRule } from '../platform/retention'
import { redeliverEvents } from './outbox'

const AUDIT_RETENTION_MS = 90 * DAY_MS

/**
 * Events a request committed but could not publish: other Workers are waiting for them, so this
 * rule runs first and the rest wait until it is done.
 */
const undeliveredEvents: RetentionRule<'eventsDelivered'> = {
  counts: ['eventsDelivered'],
  async apply({ rt, now, overBudget, count }) {
    const { delivered, done } = await redeliverEvents(rt.db, rt.events, now, overBudget)
    count('eventsDelivered', delivered)
    return done
  },
}

const oldAuditEvents = deleteRowsWhere('auditEvents', auditEvents, ({ now }) =>
  lt(auditEvents.at, now - AUDIT_RETENTION_MS),
)

/**
 * The events quota (QUOTA_EVENTS, QUOTA_EVENTS_ANON): each user keeps their newest events up to
 * their limit. Only users with events since the last run can have passed it, so only their trails
 * are counted; the first run counts everyone's.
 */
const trailsOverQuota = deleteRowsWhere(
  'auditEventsOverQuota',
  auditEvents,
  async ({ rt, previousRunStartedAt }) => {
    const last = await previousRunStartedAt()
    // A minute's overlap: an event written while the last run was starting is not missed.
    const since = last === null ? 0 : last - 60_000
    const { QUOTA_EVENTS: account, QUOTA_EVENTS_ANON: anonymous } = rt.settings
    return sql`${auditEvents.id} in (
    select id from (
      select e.id, e.user_id, row_number() over (partition by e.user_id order by e.at desc, e.id desc) as n
      from ${auditEvents} e
      where e.user_id in (select distinct user_id from ${auditEvents} where at > ${since} and user_id is not null)
    ) where n > case when substr(user_id, 1, 5) = 'anon_' then ${anonymous} else ${account} end
  )`
  },
)

export const eventsRetention = { undeliveredEvents, oldAuditEvents, trailsOverQuota }
