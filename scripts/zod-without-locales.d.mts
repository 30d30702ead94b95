/** Types of zod-without-locales.mjs: zod's own, less the two namespaces it leaves out. */
export * from 'zod'
