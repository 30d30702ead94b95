/**
 * The line between the tabs of one browser and origin: BroadcastChannel where there is one, else
 * `storage` events on localStorage (a write there fires the event in every other tab), else
 * nothing (a server, a Worker, a test). Messages carry ids and counts only, never an email, since
 * the fallback passes them through localStorage for a moment.
 */
import type { Merge } from './types'

/** What one tab tells the others; ids only, the receiver asks the service for the rest. */
export type TabMessage =
  | { type: 'loaded' | 'anonymous_started'; userId: string; sessionId: string }
  | { type: 'signed_in'; userId: string; sessionId: string; merge: Merge | null }
  | { type: 'signed_out'; everywhere: boolean }

/** A channel to this browser's other tabs; a channel never hears its own messages. */
export interface TabChannel {
  post(message: TabMessage): void
  /** Starts listening (opening what it needs); the function returned stops and closes it. */
  listen(receive: (message: TabMessage) => void): () => void
}

type MessageListener = (event: { data: unknown }) => void
type StorageListener = (event: { key: string | null; newValue: string | null }) => void

/** The globals a channel is built from; a test passes its own. */
export interface TabScope {
  BroadcastChannel?: new (name: string) => {
    postMessage(message: unknown): void
    addEventListener(type: 'message', listener: MessageListener): void
    close(): void
  }
  localStorage?: { setItem(key: string, value: string): void; removeItem(key: string): void }
  addEventListener?(type: 'storage', listener: StorageListener): void
  removeEventListener?(type: 'storage', listener: StorageListener): void
}

/** What travels: the message and which channel sent it, so that a channel drops its own. */
interface Envelope {
  from: string
  message: TabMessage
}

const TYPES = new Set(['loaded', 'anonymous_started', 'signed_in', 'signed_out'])

const isEnvelope = (value: unknown): value is Envelope => {
  if (typeof value !== 'object' || value === null) return false
  const { from, message } = value as { from?: unknown; message?: unknown }
  return (
    typeof from === 'string' &&
    typeof message === 'object' &&
    message !== null &&
    TYPES.has((message as { type?: unknown }).type as string)
  )
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

const SILENT: TabChannel = { post: () => undefined, listen: () => () => undefined }

/** The channel named `name` in `scope` (the global scope by default). */
export function createTabChannel(
  name: string,
  scope: TabScope = globalThis as unknown as TabScope,
): TabChannel {
  const self = Math.random().toString(36).slice(2)
  const envelope = (message: TabMessage): Envelope => ({ from: self, message })
  const Channel = scope.BroadcastChannel
  if (Channel) {
    return {
      post(message) {
        // A channel of its own, closed at once: nothing stays open (on a server, an open channel
        // would keep the process alive); the message is already on its way when close() runs.
        const channel = new Channel(name)
        channel.postMessage(envelope(message))
        channel.close()
      },
      listen(receive) {
        const channel = new Channel(name)
        channel.addEventListener('message', ({ data }) => {
          if (isEnvelope(data) && data.from !== self) receive(data.message)
        })
        return () => channel.close()
      },
    }
  }
  const { localStorage: storage, addEventListener, removeEventListener } = scope
  if (storage && addEventListener && removeEventListener) {
    return {
      post(message) {
        // Writing fires `storage` in the other tabs only; removing it at once leaves nothing behind.
        // The envelope's random id makes every write a change, even of an equal message.
        storage.setItem(name, JSON.stringify({ ...envelope(message), at: Math.random() }))
        storage.removeItem(name)
      },
      listen(receive) {
        const onStorage: StorageListener = ({ key, newValue }) => {
          if (key !== name || newValue === null) return
          const data = parse(newValue)
          if (isEnvelope(data) && data.from !== self) receive(data.message)
        }
        addEventListener.call(scope, 'storage', onStorage)
        return () => removeEventListener.call(scope, 'storage', onStorage)
      },
    }
  }
  return SILENT
}
