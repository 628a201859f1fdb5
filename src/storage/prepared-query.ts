import type { Compilable, CompiledQuery, Kysely } from 'kysely'

/**
 * A Kysely query built and compiled once (at its first run), then run with fresh parameters. Building and compiling
 * a query anew costs more than SQLite takes to answer a small one (about 10 µs against 8 for a project's webhooks),
 * so queries on the public API's hot paths use this. `build` receives one placeholder per argument and must use each
 * as a parameter value only, never to shape the query.
 */
export function preparedQuery<Database, Args extends string[], Row>(
  db: Kysely<Database>,
  arity: Args['length'],
  build: (...placeholders: Args) => Compilable<Row>,
): (...args: Args) => Promise<Row[]> {
  let compiled: { query: CompiledQuery<Row>; slots: number[] } | undefined
  const compile = () => {
    const placeholders = Array.from({ length: arity }, (_, i) => `\u0000placeholder ${i}\u0000`) as Args
    const query = build(...placeholders).compile()
    if (placeholders.some((p) => !query.parameters.includes(p))) {
      throw new Error(`preparedQuery: a placeholder is not a parameter of ${query.sql}`)
    }
    return { query, slots: query.parameters.map((value) => placeholders.indexOf(value as string)) }
  }
  return async (...args) => {
    compiled ??= compile()
    const { query, slots } = compiled
    const parameters = query.parameters.map((value, i) => {
      const slot = slots[i] ?? -1
      return slot >= 0 ? args[slot] : value
    })
    return (await db.executeQuery<Row>({ ...query, parameters })).rows
  }
}
