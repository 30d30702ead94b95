/** The components' CSS hooks: a fixed `es-…` class per part, plus whatever the app adds. */
export const classNames = (...names: Array<string | false | undefined>): string =>
  names.filter(Boolean).join(' ')
