/** A listener of one event whose payload type is `P`. */
export type Listener<P> = (payload: P) => void

/**
 * A minimal typed event emitter. Listeners that throw do not break the
 * emitting code; their errors are handed to `onListenerError`.
 */
export class Emitter<Events extends object> {
  #listeners = new Map<keyof Events, Set<Listener<never>>>()
  #onListenerError: (error: unknown) => void

  constructor(onListenerError: (error: unknown) => void = () => undefined) {
    this.#onListenerError = onListenerError
  }

  /** Adds a listener and returns a function that removes it. */
  on<K extends keyof Events>(
    event: K,
    listener: Listener<Events[K]>,
  ): () => void {
    let set = this.#listeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(listener)
    return () => {
      this.off(event, listener)
    }
  }

  /** Removes a listener added with {@link Emitter.on}. */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const set = this.#listeners.get(event)
    if (set === undefined) return
    set.delete(listener)
    if (set.size === 0) this.#listeners.delete(event)
  }

  /** Whether anyone listens to `event` (lets callers skip building payloads). */
  has(event: keyof Events): boolean {
    return this.#listeners.has(event)
  }

  /** Calls every listener of `event` with `payload`. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event)
    if (set === undefined) return
    for (const listener of [...set]) {
      try {
        ;(listener as Listener<Events[K]>)(payload)
      } catch (error) {
        this.#onListenerError(error)
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear()
  }

  /** Number of listeners across all events. */
  get listenerCount(): number {
    let count = 0
    for (const set of this.#listeners.values()) count += set.size
    return count
  }
}
