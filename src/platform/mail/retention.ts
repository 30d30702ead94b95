/** The dev mailbox's retention rule: mail kept by MAILER=outbox only needs to outlive its links. */
import { lt } from 'drizzle-orm'
import { outbox } from '../db/schema'
import { DAY_MS, deleteRowsWhere } from '../retention'

const sentMail = deleteRowsWhere('outbox', outbox, ({ now }) => lt(outbox.sentAt, now - DAY_MS))

export const mailRetention = { sentMail }
