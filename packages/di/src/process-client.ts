import type { DuckDBClient } from '@duckkit/db-pool'

/**
 * The slot `getDuckDBClient()` of `@duckkit/db-pool` keeps its process-wide
 * client in (a global-registry symbol, so every copy of db-pool shares it).
 * db-pool has no public setter yet; this is the one place that writes it.
 */
const SLOT = Symbol.for('@duckkit/db-pool/get-duckdb-client')

interface SharedState {
  client: DuckDBClient | undefined
  warned: boolean
}

/**
 * Makes `client` what `getDuckDBClient()` returns from now on, and returns a
 * function that puts back the client that was there before (if `client` is
 * still the installed one).
 */
export function installProcessClient(client: DuckDBClient): () => void {
  const holder = globalThis as typeof globalThis & { [SLOT]?: SharedState }
  holder[SLOT] ??= { client: undefined, warned: false }
  const state = holder[SLOT]
  const previous = state.client
  state.client = client
  return () => {
    if (state.client === client) state.client = previous
  }
}
