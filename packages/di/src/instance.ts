import type { Registration } from './registration.js'

/** A created value that has a start or dispose hook, as its owner tracks it. */
export interface Instance {
  readonly registration: Registration
  readonly value: unknown
  /** Whether its start hook resolved. */
  started: boolean
  /** Whether its dispose hook was called. */
  disposed: boolean
}

/** Whether a value is live: it has no start hook, or its start hook succeeded. */
export function isLive(instance: Instance): boolean {
  return instance.registration.start === undefined || instance.started
}
