/** Vite's `?raw` imports: a file's text, as the tests read wrangler.toml's shipped [vars]. */
declare module '*?raw' {
  const text: string
  export default text
}
