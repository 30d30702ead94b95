// The example's entry: one client for this tab, handed to the provider. `#prebuilt` shows the
// prebuilt components instead of the page built on the hooks.
import { createSessionClient } from '@edge-session/client'
import { SessionProvider } from '@edge-session/react'
import { StrictMode, useSyncExternalStore } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app'
import { Prebuilt } from './prebuilt'

const client = createSessionClient({ baseUrl: location.origin })

const onHashChange = (listener: () => void) => {
  addEventListener('hashchange', listener)
  return () => removeEventListener('hashchange', listener)
}
const showsPrebuilt = () => location.hash === '#prebuilt'

function Page() {
  return useSyncExternalStore(onHashChange, showsPrebuilt) ? <Prebuilt /> : <App />
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider client={client}>
      <Page />
    </SessionProvider>
  </StrictMode>,
)
