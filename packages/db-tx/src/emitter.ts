/** A listener of one event whose payload type is `P`. */
export type EventListener<P> = (payload: P) => void

/** A small typed emitter; a listener that throws is reported and does not break the emitter. */
export class Emitter<Events extends object> {
  #listeners = new Map<keyof Events, Set<EventListener<never>>>()
  readonly #onListenerError: (error: unknown) => void

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError
  }

  /** Adds a listener and returns a function that removes it. */
  on<K extends keyof Events>(
    event: K,
    listener: EventListener<Events[K]>,
  ): () => void {
    let set = this.#listeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }

  /** Whether `event` has listeners, so callers can skip building payloads. */
  has(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0
  }

  /** Calls every listener of `event`. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event)
    if (set === undefined) return
    for (const listener of [...set]) {
      try {
        ;(listener as EventListener<Events[K]>)(payload)
      } catch (error) {
        this.#onListenerError(error)
      }
    }
  }
}
