import { classifyError } from './classify-error.js'
import { isDatabaseError } from './database-error.js'

/** The stable code of any thrown value (classified when it is not a `DatabaseError`). */
function codeOf(error: unknown): string {
  return isDatabaseError(error) ? error.code : classifyError(error).code
}

/** Counts errors by their stable code. */
export class FailureCounts {
  #counts = new Map<string, number>()

  /** Adds one to the counter of the error's code. */
  add(error: unknown): void {
    const code = codeOf(error)
    this.#counts.set(code, (this.#counts.get(code) ?? 0) + 1)
  }

  /** A plain-object copy, code to count. */
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.#counts)
  }
}
