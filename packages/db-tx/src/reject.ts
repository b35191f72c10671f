/** Calls `fn`, turning a synchronous throw into a rejection with the thrown value unchanged. */
export async function invoke<T>(fn: () => Promise<T> | T): Promise<T> {
  return fn()
}

/** A promise rejected with `reason` exactly as given (it need not be an `Error`). */
export function rejectWith(reason: unknown): Promise<never> {
  return invoke(() => {
    throw reason
  })
}
