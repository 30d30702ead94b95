import { defineConfig } from 'drizzle-kit'

// drizzle-kit writes the SQL that wrangler applies; migrations/ is the source of truth that ships.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/platform/db/schema.ts',
  out: './migrations',
})
