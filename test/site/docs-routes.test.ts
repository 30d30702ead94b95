import { describe, expect, it } from 'vitest'
import { api } from '../helpers'

describe('/docs', () => {
  it('serves a renderer that loads nothing from another origin, its badge included', async () => {
    const res = await api('/docs/redoc.standalone.js')
    expect(res.status).toBe(200)
    const code = await res.text()
    expect(code).toContain('API docs by')
    // Images are where the page's CSP (img-src 'self' data:) would refuse a remote origin.
    const remoteImages = [...code.matchAll(/src:\s*[^,]*?`(https?:\/\/[^`]+)`/g)].map((m) => m[1])
    expect(remoteImages).toEqual([])
    expect(code).not.toContain('https://cdn.redoc.ly/')
  })
})
