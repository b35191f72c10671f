/** Options of {@link runClients}. */
export interface RunClientsOptions {
  /** Number of concurrent clients. */
  readonly clients: number
  /** Each client stops starting new steps once this many milliseconds have passed. */
  readonly durationMs: number
  /** Or once this returns true (checked before each step). @default never */
  readonly stop?: () => boolean
  /** One step of client `client` (its `step`-th); errors end the run and are rethrown. */
  readonly step: (client: number, step: number) => Promise<void>
}

/**
 * Runs `clients` concurrent loops of `step` for `durationMs` (a closed
 * system: each client waits for its answer before sending the next request)
 * and resolves the number of steps done. The first error stops every client
 * and is rethrown once they all stopped.
 */
export async function runClients(options: RunClientsOptions): Promise<number> {
  const deadline = Date.now() + options.durationMs
  let failed = false
  let steps = 0
  const loop = async (client: number): Promise<void> => {
    for (let step = 0; ; step += 1) {
      if (failed || Date.now() >= deadline || options.stop?.() === true) return
      try {
        await options.step(client, step)
        steps += 1
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  const results = await Promise.allSettled(
    Array.from({ length: options.clients }, (_, client) => loop(client)),
  )
  const rejected = results.find((result) => result.status === 'rejected')
  if (rejected !== undefined) throw rejected.reason as Error
  return steps
}

/** Resolves after `ms` milliseconds (for pacing phases of a scenario, never to wait for a timer). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `check` every `intervalMs` until it resolves true; resolves the time it took, or throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 50,
): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await check()) return Date.now() - started
    if (Date.now() - started > timeoutMs)
      throw new Error(`${what}: not reached within ${timeoutMs} ms`)
    await pause(intervalMs)
  }
}
