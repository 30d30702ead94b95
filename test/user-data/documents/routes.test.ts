import { describe, expect, it } from 'vitest'
import { api, bearer, createTokenSession, expectError, type TokenSession } from '../../helpers'

interface Doc {
  id: string
  title: string
  content: string
  createdAt: string
  updatedAt: string
}
type Summary = Omit<Doc, 'content'>
interface Page {
  documents: Summary[]
  nextCursor: string | null
}

const json = (s: TokenSession) => ({
  ...bearer(s.accessToken),
  'Content-Type': 'application/json',
})

const createDoc = (s: TokenSession, body: unknown) =>
  api('/v1/documents', {
    method: 'POST',
    headers: json(s),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

async function createOk(s: TokenSession, title: string, content = `content of ${title}`) {
  const res = await createDoc(s, { title, content })
  expect(res.status).toBe(201)
  return (await res.json<{ document: Doc }>()).document
}

const getDoc = (s: TokenSession, id: string) =>
  api(`/v1/documents/${id}`, { headers: bearer(s.accessToken) })

const patchDoc = (s: TokenSession, id: string, body: unknown) =>
  api(`/v1/documents/${id}`, { method: 'PATCH', headers: json(s), body: JSON.stringify(body) })

const listPage = (s: TokenSession, query = '') =>
  api(`/v1/documents${query}`, { headers: bearer(s.accessToken) })

async function errorMessage(res: Response, status: number): Promise<string> {
  const message = (await res.clone().json<{ error: { message: string } }>()).error.message
  await expectError(res, status)
  return message
}

const MAX_CONTENT_BYTES = 256 * 1024

// Code-unit order, as SQLite compares text; ISO times of one format sort the same way.
const byDesc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0)

describe('documents', () => {
  it('creates, reads, changes and deletes a document', async () => {
    const s = await createTokenSession()
    const created = await createOk(s, 'Notes', 'hello')
    expect(created).toEqual({
      id: expect.stringMatching(/^doc_[0-9a-hjkmnp-tv-z]{26}$/),
      title: 'Notes',
      content: 'hello',
      createdAt: expect.any(String),
      updatedAt: created.createdAt,
    })
    expect(await (await getDoc(s, created.id)).json()).toEqual({ document: created })

    const renamed = await patchDoc(s, created.id, { title: 'Renamed' })
    expect(renamed.status).toBe(200)
    expect((await renamed.json<{ document: Doc }>()).document).toMatchObject({
      id: created.id,
      title: 'Renamed',
      content: 'hello',
      createdAt: created.createdAt,
    })
    const rewritten = await patchDoc(s, created.id, { content: 'bye' })
    expect((await rewritten.json<{ document: Doc }>()).document).toMatchObject({
      title: 'Renamed',
      content: 'bye',
    })

    const del = await api(`/v1/documents/${created.id}`, {
      method: 'DELETE',
      headers: bearer(s.accessToken),
    })
    expect(del.status).toBe(204)
    await expectError(await getDoc(s, created.id), 404, 'not_found')
    await expectError(await patchDoc(s, created.id, { title: 'x' }), 404, 'not_found')
    await expectError(
      await api(`/v1/documents/${created.id}`, {
        method: 'DELETE',
        headers: bearer(s.accessToken),
      }),
      404,
      'not_found',
    )
  })

  it('answers 404 for a well-formed id that does not exist, and 400 for a malformed one', async () => {
    const s = await createTokenSession()
    await expectError(await getDoc(s, `doc_${'0'.repeat(26)}`), 404, 'not_found')
    for (const id of ['doc_short', `sess_${'0'.repeat(26)}`, `doc_${'U'.repeat(26)}`, "doc_'--"])
      await expectError(await getDoc(s, encodeURIComponent(id)), 400, 'invalid_request')
  })

  it('refuses a change that sets nothing, or sets an empty title', async () => {
    const s = await createTokenSession()
    const doc = await createOk(s, 'Keep')
    expect(await errorMessage(await patchDoc(s, doc.id, {}), 400)).toContain('body')
    expect(await errorMessage(await patchDoc(s, doc.id, { title: '' }), 400)).toContain(
      'body.title',
    )
    expect((await (await getDoc(s, doc.id)).json<{ document: Doc }>()).document).toEqual(doc)
  })

  it.each([
    ['title', { content: 'x' }],
    ['title', { title: '', content: 'x' }],
    ['title', { title: 't'.repeat(201), content: 'x' }],
    ['title', { title: 5, content: 'x' }],
    ['content', { title: 't' }],
    ['content', { title: 't', content: null }],
  ])('refuses a document with a bad %s with 400 naming the field', async (field, body) => {
    const s = await createTokenSession()
    expect(await errorMessage(await createDoc(s, body), 400)).toContain(`body.${field}`)
    expect((await (await listPage(s)).json<Page>()).documents).toEqual([])
  })

  it.each([
    ['bytes', 'x'.repeat(MAX_CONTENT_BYTES + 1)],
    // Fewer characters than the limit, more bytes: the limit is in UTF-8 bytes.
    ['bytes in fewer characters', 'é'.repeat(MAX_CONTENT_BYTES / 2 + 1)],
  ])('refuses content over 256 KiB of %s with 413 naming the field', async (_name, content) => {
    const s = await createTokenSession()
    const res = await createDoc(s, { title: 't', content })
    expect(await errorMessage(res, 413)).toBe(
      `body.content: must be at most ${MAX_CONTENT_BYTES} bytes`,
    )
    expect((await (await listPage(s)).json<Page>()).documents).toEqual([])
  })

  it('accepts a 200-character title and exactly 256 KiB of content', async () => {
    const s = await createTokenSession()
    const content = 'x'.repeat(MAX_CONTENT_BYTES)
    const doc = await createOk(s, 't'.repeat(200), content)
    const read = (await (await getDoc(s, doc.id)).json<{ document: Doc }>()).document
    expect(read.content.length).toBe(MAX_CONTENT_BYTES)
    expect(read.content).toBe(content)
  })

  it('answers 413 for a raw body over the route limit, and 400 or 415 for a body that is not JSON', async () => {
    const s = await createTokenSession()
    const huge = JSON.stringify({ title: 't', content: 'x'.repeat(330 * 1024) })
    await expectError(await createDoc(s, huge), 413, 'payload_too_large')
    await expectError(await createDoc(s, '{"title": "t", "content": '), 400, 'invalid_request')
    const text = await api('/v1/documents', {
      method: 'POST',
      headers: { ...bearer(s.accessToken), 'Content-Type': 'text/plain' },
      body: 'title=t',
    })
    await expectError(text, 415)
  })

  it('pages through 45 documents newest first with no duplicates or gaps', async () => {
    const s = await createTokenSession()
    const created: Doc[] = []
    // Created in concurrent groups so many share a millisecond: the id breaks those ties.
    for (let group = 0; group < 5; group++) {
      const docs = await Promise.all(
        Array.from({ length: 9 }, (_, i) => createOk(s, `doc ${group * 9 + i}`)),
      )
      created.push(...docs)
    }
    const expected = [...created]
      .sort((a, b) => byDesc(a.createdAt, b.createdAt) || byDesc(a.id, b.id))
      .map((d) => d.id)

    const seen: string[] = []
    const sizes: number[] = []
    let cursor: string | null = null
    do {
      const query: string = `?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const res = await listPage(s, query)
      expect(res.status).toBe(200)
      const page = await res.json<Page>()
      for (const doc of page.documents) expect(doc).not.toHaveProperty('content')
      sizes.push(page.documents.length)
      seen.push(...page.documents.map((d) => d.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(sizes).toEqual([10, 10, 10, 10, 5])
    expect(seen).toEqual(expected)

    const first = await (await listPage(s)).json<Page>()
    expect(first.documents.map((d) => d.id)).toEqual(expected.slice(0, 20))
    const exact = await (await listPage(s, '?limit=45')).json<Page>()
    expect(exact.documents).toHaveLength(45)
    expect(exact.nextCursor).toBeNull()
  })

  it.each([
    ['cursor', '?cursor=garbage'],
    ['cursor', `?cursor=${btoa('123:doc_nope').replace(/=+$/, '')}`],
    ['cursor', `?cursor=${btoa(`abc:doc_${'0'.repeat(26)}`).replace(/=+$/, '')}`],
    ['cursor', '?cursor=%21%21'],
    ['limit', '?limit=0'],
    ['limit', '?limit=101'],
    ['limit', '?limit=ten'],
    ['limit', '?limit=2.5'],
  ])('answers 400 naming query.%s for %s', async (field, query) => {
    const s = await createTokenSession()
    expect(await errorMessage(await listPage(s, query), 400)).toContain(`query.${field}`)
  })
})
