import { DuckDBClient, type DuckDBClientOptions } from './duckdb-client.js'

/** Process-wide state, keyed in the global symbol registry so every copy of this package shares it. */
const STATE = Symbol.for('@duckkit/db-pool/get-duckdb-client')

interface SharedState {
  client: DuckDBClient | undefined
  warned: boolean
}

/** Code of the deprecation warning {@link getDuckDBClient} emits once per process. */
export const GET_CLIENT_DEPRECATION_CODE = 'DUCKKIT_DEP_GET_CLIENT'

function state(): SharedState {
  const holder = globalThis as typeof globalThis & { [STATE]?: SharedState }
  holder[STATE] ??= { client: undefined, warned: false }
  return holder[STATE]
}

/**
 * Returns the process-wide {@link DuckDBClient}, creating it on the first call
 * (or after it was closed) from `options` and the `DUCKKIT_POOL` flag; later
 * calls ignore `options`. Emits a one-time `DeprecationWarning`
 * (`DUCKKIT_DEP_GET_CLIENT`) pointing to the migration guide.
 *
 * @deprecated Create a pool with `createPool()` (or a `DuckDBClient`) and pass
 * it to the code that needs it; see docs/migration-guide.md.
 */
export function getDuckDBClient(options?: DuckDBClientOptions): DuckDBClient {
  const shared = state()
  if (!shared.warned) {
    shared.warned = true
    process.emitWarning(
      'getDuckDBClient() is deprecated: create a pool with createPool() from @duckkit/db-pool ' +
        '(or a DuckDBClient) and pass it where it is needed. See docs/migration-guide.md.',
      { type: 'DeprecationWarning', code: GET_CLIENT_DEPRECATION_CODE },
    )
  }
  if (shared.client === undefined || shared.client.closed)
    shared.client = new DuckDBClient(options)
  return shared.client
}

/**
 * Makes `client` what {@link getDuckDBClient} returns from now on (for a
 * container that bridges old code to its own pool during a migration), and
 * returns a function that puts back the previous client if `client` is still
 * the installed one. Emits no deprecation warning.
 */
export function setDuckDBClient(client: DuckDBClient | undefined): () => void {
  const shared = state()
  const previous = shared.client
  shared.client = client
  return () => {
    if (shared.client === client) shared.client = previous
  }
}
