/** The page's address without what a provider's return added to it. */

// What a provider's return adds to the page's address; a new attempt starts from a clean one.
const RETURN_PARAMS = ['error', 'code', 'link_code', 'state', 'linked', 'second_factor']

/** `href` without a previous return's parameters: where a provider should send the person back. */
export function returnUrl(href: string): string {
  const url = new URL(href)
  for (const name of RETURN_PARAMS) url.searchParams.delete(name)
  return url.href
}
