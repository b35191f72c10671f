/** A start step that finished: an async singleton was created or a start hook ran. */
export interface StartedEvent {
  /** Name of the registration. */
  readonly name: string
  /** How long the step took, in milliseconds. */
  readonly durationMs: number
}

/** A start step (creating a value or running its start hook) that failed; a rollback follows. */
export interface StartFailedEvent {
  /** Name of the registration. */
  readonly name: string
  /** Whether creating the value or its start hook failed. */
  readonly phase: 'create' | 'start'
  /** What it threw. */
  readonly error: unknown
}

/** A dispose hook that ran. */
export interface DisposedEvent {
  /** Name of the registration. */
  readonly name: string
  /** Whether the value belonged to a scope (else to the container). */
  readonly scoped: boolean
  /** How long its dispose hook took, in milliseconds. */
  readonly durationMs: number
  /** What the hook threw, or `undefined` when it succeeded. */
  readonly error: unknown
}

/** Events a container emits while it starts and disposes. */
export interface ContainerEvents {
  /** A start step finished. */
  started: StartedEvent
  /** A start step failed. */
  startFailed: StartFailedEvent
  /** A dispose hook ran (of the container or of one of its scopes). */
  disposed: DisposedEvent
}
