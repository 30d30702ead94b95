/**
 * The HTML part of a mail, built from its plain text: one paragraph per blank-line-separated block,
 * the mailed link as a real link, a heading with the product name and a footer with the origin the
 * mail speaks for. Plain on purpose: no remote images or fonts (nothing to track or to block), no
 * layout tables, the text part's words unchanged, so a screen reader reads both parts alike.
 */

export interface MailHtmlOptions {
  subject: string
  /** The text part; the HTML says exactly this. */
  text: string
  /** The link the text carries; its paragraph becomes a link. */
  link: string
  productName: string
  /** The service's public origin, named in the footer so the reader can tell where it came from. */
  origin: string
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text made safe to place in HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!)
}

const STYLE =
  'font-family: system-ui, sans-serif; font-size: 16px; line-height: 1.5; color: #1a1a1a; ' +
  'max-width: 36em; margin: 0 auto; padding: 1em'

/** The mail's HTML document: the text's paragraphs, the link as a link, the sender named. */
export function renderMailHtml(options: MailHtmlOptions): string {
  const product = escapeHtml(options.productName)
  const paragraphs = options.text
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) =>
      block === options.link
        ? `<p><a href="${escapeHtml(block)}" style="font-weight: bold">${escapeHtml(options.subject)}</a></p>` +
          `<p style="font-size: 14px; word-break: break-all">${escapeHtml(block)}</p>`
        : `<p>${escapeHtml(block).replace(/\n/g, '<br>')}</p>`,
    )
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.subject)}</title></head>`,
    `<body style="${STYLE}">`,
    `<h1 style="font-size: 20px">${product}</h1>`,
    ...paragraphs,
    `<p style="font-size: 14px; color: #555">Sent by ${product}, ${escapeHtml(options.origin)}</p>`,
    '</body>',
    '</html>',
  ].join('\n')
}
