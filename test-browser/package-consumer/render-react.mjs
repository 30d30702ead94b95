// Renders the packed React bindings on Node, as a server render would: no window, no document,
// no request made. Prints the HTML.
import { createSessionClient } from '@edge-session/client'
import { SessionProvider, useSession } from '@edge-session/react'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'

const client = createSessionClient({
  baseUrl: 'https://auth.example.com',
  fetch: () => {
    throw new Error('A server render must not call the service.')
  },
})
function Who() {
  const { status, user } = useSession()
  return createElement('p', null, `${status}:${user?.id ?? 'nobody'}`)
}
console.log(renderToString(createElement(SessionProvider, { client }, createElement(Who))))
