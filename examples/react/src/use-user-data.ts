// Per-user data for a section: loaded when the signed-in user changes (in this tab or another),
// and again after the section's own writes.
import type { SessionClient } from '@edge-session/client'
import { useSession, useSessionClient } from '@edge-session/react'
import { useCallback, useEffect, useState } from 'react'

export function useUserData<T>(load: (client: SessionClient) => Promise<T>) {
  const client = useSessionClient()
  const { user, session } = useSession()
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<string | null>(null)
  const reload = useCallback(() => {
    load(client).then(setData, (e: Error) => setError(e.message))
  }, [client, load])
  useEffect(() => {
    setData(null)
    if (user) reload()
  }, [user?.id, session?.id, reload])
  return { data, error, reload }
}
