import { describe, expect, it } from 'vitest'
import { renderMailHtml } from '../../../src/platform/mail/templates'

const LINK = 'https://auth.example.com/v1/auth/magic-link#token=abc'

describe('the HTML part of a mail', () => {
  const html = renderMailHtml({
    subject: 'Your sign-in link',
    text: `Open this link <now> & sign in:\n\n${LINK}\n\nIf you did not ask,\nignore this email.`,
    link: LINK,
    productName: 'Notes & <Co>',
    origin: 'https://auth.example.com',
  })

  it('says the words of the text part, escaped, a paragraph each', () => {
    expect(html).toContain('<p>Open this link &lt;now&gt; &amp; sign in:</p>')
    expect(html).toContain('<p>If you did not ask,<br>ignore this email.</p>')
    expect(html).toContain('<h1 style="font-size: 20px">Notes &amp; &lt;Co&gt;</h1>')
  })

  it('makes the link a link, and shows it written out too', () => {
    expect(html).toContain(`<a href="${LINK}" style="font-weight: bold">Your sign-in link</a>`)
    expect(html).toContain(`word-break: break-all">${LINK}</p>`)
  })

  it('is a plain document: a language, a title, no image, script or remote resource', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/)
    expect(html).toContain('<title>Your sign-in link</title>')
    expect(html).not.toMatch(/<img|<script|<link|url\(|src=/i)
    expect([...html.matchAll(/https?:\/\/[^"<\s]+/g)].map((m) => m[0])).toEqual([
      LINK,
      LINK,
      'https://auth.example.com',
    ])
  })
})
