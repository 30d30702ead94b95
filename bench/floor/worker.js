// The platform's floor on this machine (bench/floors.mjs): a bare Worker that does only what the
// service's paths cannot avoid, one piece each, so the service's ratios can be read against what
// workerd, a SQLite-backed Durable Object and local D1 cost here by themselves.
import { DurableObject } from 'cloudflare:workers'

const RECORD = { at: 0, pad: 'x'.repeat(600) } // about a session record's size

export class Floor extends DurableObject {
  /** What a materialisation stores: the record and the idle alarm. */
  async store() {
    this.ctx.storage.kv.put('record', { ...RECORD, at: Date.now() })
    await this.ctx.storage.setAlarm(Date.now() + 86_400_000)
    return 1
  }

  /** What a rotation stores: the record. */
  write() {
    this.ctx.storage.kv.put('record', { ...RECORD, at: Date.now() })
    return 1
  }

  async alarm() {}
}

const ok = () => Response.json({ ok: true })

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url)
    switch (pathname) {
      case '/healthz':
        return ok()
      case '/object/new':
        // A Durable Object never used before: locally, a new SQLite database.
        await env.FLOOR.get(env.FLOOR.idFromName(crypto.randomUUID())).store()
        return ok()
      case '/object/write':
        await env.FLOOR.get(env.FLOOR.idFromName('warm')).write()
        return ok()
      case '/d1/read':
        return Response.json(
          await env.DB.prepare('select value from control where key = ?').bind('k').first(),
        )
      default:
        return new Response('not found', { status: 404 })
    }
  },
}
