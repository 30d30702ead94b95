/**
 * A browser's tabs without a browser: each tab's globals as `createTabChannel` reads them, over
 * one shared BroadcastChannel bus or one shared localStorage, delivering as browsers do (to every
 * other channel or tab, never back to the sender, in a later task, data structured-cloned).
 */
import type { TabScope } from '../../../src/sdk/client'

type Listener = (event: { data: unknown }) => void

/** Tabs that share BroadcastChannel: every channel of the same name hears the others. */
export function broadcastTabs() {
  const open = new Set<{ name: string; listeners: Listener[] }>()
  let posted = 0
  class FakeBroadcastChannel {
    readonly entry: { name: string; listeners: Listener[] }
    constructor(name: string) {
      this.entry = { name, listeners: [] }
      open.add(this.entry)
    }
    postMessage(message: unknown) {
      posted++
      const data = structuredClone(message)
      const targets = [...open].filter((e) => e.name === this.entry.name && e !== this.entry)
      setTimeout(() => targets.forEach((e) => e.listeners.forEach((l) => l({ data }))), 0)
    }
    addEventListener(_type: 'message', listener: Listener) {
      this.entry.listeners.push(listener)
    }
    close() {
      open.delete(this.entry)
    }
  }
  return {
    scope: (): TabScope => ({ BroadcastChannel: FakeBroadcastChannel }),
    /** Channels open now (a client listens only while subscribed). */
    openChannels: () => open.size,
    posted: () => posted,
  }
}

type StorageListener = (event: { key: string | null; newValue: string | null }) => void

/** Tabs with no BroadcastChannel: a write to the shared localStorage fires `storage` elsewhere. */
export function storageTabs() {
  const items = new Map<string, string>()
  const tabs: Array<{ listeners: Set<StorageListener> }> = []
  return {
    scope(): TabScope {
      const tab = { listeners: new Set<StorageListener>() }
      tabs.push(tab)
      const fire = (key: string, newValue: string | null) => {
        for (const other of tabs)
          if (other !== tab)
            setTimeout(() => other.listeners.forEach((l) => l({ key, newValue })), 0)
      }
      return {
        localStorage: {
          setItem(key, value) {
            items.set(key, value)
            fire(key, value)
          },
          removeItem(key) {
            items.delete(key)
            fire(key, null)
          },
        },
        addEventListener: (_type, listener) => void tab.listeners.add(listener),
        removeEventListener: (_type, listener) => void tab.listeners.delete(listener),
      }
    },
    /** What is left in localStorage (the channel removes its message at once). */
    keys: () => [...items.keys()],
  }
}
