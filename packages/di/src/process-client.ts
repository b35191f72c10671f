import { type DuckDBClient, setDuckDBClient } from '@duckkit/db-pool'

/**
 * Makes `client` what `getDuckDBClient()` of `@duckkit/db-pool` returns from
 * now on, and returns a function that puts back the client that was there
 * before (if `client` is still the installed one).
 */
export function installProcessClient(client: DuckDBClient): () => void {
  return setDuckDBClient(client)
}
