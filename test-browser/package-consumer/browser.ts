// A browser app's file, type-checked against the packed @edge-session/client with the DOM lib
// alone (no Workers or Node types), strict and exactOptionalPropertyTypes.
import {
  createSessionClient,
  createMemoryTokenStore,
  SessionClientError,
  type Merge,
  type SessionClientOptions,
  type User,
} from '@edge-session/client'

const options: SessionClientOptions = { baseUrl: location.origin, transport: undefined }
const client = createSessionClient(options)
const tokens = createSessionClient({
  baseUrl: 'https://auth.example.com',
  transport: 'token',
  tokenStore: createMemoryTokenStore(),
})

export async function start(): Promise<User> {
  const { user } = await client.me()
  await client.preferences.patch({ theme: 'dark' })
  try {
    const { merge }: { merge: Merge | null } = await tokens.login({ email: 'a@b.c', password: 'p' })
    document.title = merge ? `${merge.moved.documents} moved` : 'signed in'
  } catch (error) {
    if (error instanceof SessionClientError) console.log(error.status, error.code)
  }
  return user
}
