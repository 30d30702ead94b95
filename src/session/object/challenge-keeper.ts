/**
 * The session object's challenge RPC (`putChallenge`, `takeChallenge`, `peekChallenge`), as the
 * base class the object extends: WebAuthn and second-factor challenges live in the storage of the
 * session that asked for them.
 */
import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../../platform/config'
import type { PendingChallenge } from './api'
import { SessionStorage } from './storage'

export abstract class ChallengeKeeper extends DurableObject<Bindings> {
  async putChallenge(challenge: PendingChallenge): Promise<void> {
    const store = new SessionStorage(this.ctx.storage.kv)
    store.putChallenge(challenge, Date.now())
    // A live record keeps its own alarm. Without one (an issued session) the alarm clears all that
    // is left, so it waits for the latest expiry: challenges live 1 to 10 minutes by purpose, and a
    // short one must not clear a longer one still pending. A tombstone's alarm re-arms itself.
    if (store.record()) return
    const armed = await this.ctx.storage.getAlarm()
    if (armed === null || armed < challenge.expiresAt)
      await this.ctx.storage.setAlarm(challenge.expiresAt)
  }

  takeChallenge(purpose: string, now: number): PendingChallenge | null {
    return new SessionStorage(this.ctx.storage.kv).takeChallenge(purpose, now)
  }

  peekChallenge(purpose: string, now: number): PendingChallenge | null {
    return new SessionStorage(this.ctx.storage.kv).peekChallenge(purpose, now)
  }
}
