/**
 * The events slice's public face: the caller's audit trail route and the outbox that publishes
 * merge and erase events on the queue. Other slices import it only through this file.
 */
export {
  deliverEvents,
  eventsOutboxQueries,
  pendingEvents,
  type PendingEvents,
  redeliverEvents,
} from './outbox'
export const loadEventRoutes = () => import('./routes').then((m) => m.eventRoutes)
export { eventsRetention } from './retention'
