// The example's entry: one client for this tab, handed to the provider.
import { createSessionClient } from '@edge-session/client'
import { SessionProvider } from '@edge-session/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app'

const client = createSessionClient({ baseUrl: location.origin })

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider client={client}>
      <App />
    </SessionProvider>
  </StrictMode>,
)
