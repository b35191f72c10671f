import type { QueryParams, Row } from '@duckkit/db-pool'
import { InvalidOptionError } from '@duckkit/resilience'
import type { Deadline } from './deadline.js'
import { TransactionStateError } from './errors.js'
import type {
  ConflictReason,
  StatementIssuer,
  TransactionState,
} from './transaction-state.js'
import type {
  AfterCommitHook,
  AfterRollbackHook,
  ExecuteResult,
  NestedOptions,
  Transaction,
} from './types.js'

/** Starts nested units; implemented by the manager. */
export interface UnitHost {
  /** Runs `fn` as a unit inside `parent`. */
  nested<T>(
    parent: Unit,
    fn: (tx: Transaction) => Promise<T> | T,
    options?: NestedOptions,
  ): Promise<T>
}

/** A registered afterCommit/afterRollback callback and the unit it belongs to. */
export interface HookEntry {
  readonly unit: Unit
  readonly kind: 'commit' | 'rollback'
  readonly fn: AfterCommitHook | AfterRollbackHook
}

/** How a unit was opened. */
export interface UnitInit {
  readonly readOnly: boolean
  readonly deadline: Deadline
  readonly joined: boolean
  readonly lanes: readonly string[]
  readonly label: string | undefined
}

/** One unit of work (the outermost or a nested one): the handle user code receives. */
export class Unit implements Transaction, StatementIssuer {
  /** The attempt this unit runs in. */
  readonly state: TransactionState
  /** Identifier of the outermost unit. */
  readonly id: number
  /** Attempt of the outermost unit. */
  readonly attempt: number
  /** The enclosing unit, if nested. */
  readonly parent: Unit | undefined
  /** The outermost unit. */
  readonly root: Unit
  /** Nesting depth (0 for the outermost unit). */
  readonly depth: number
  /** Log position at the start of the unit (its savepoint). */
  readonly savepoint: number
  /** Whether the unit refuses writes. */
  readonly readOnly: boolean
  /** Aborts when the unit's deadline passes or its caller aborts. */
  readonly deadline: Deadline
  /** Whether the unit joined its parent (`propagation: 'join'`) instead of taking a savepoint. */
  readonly joined: boolean
  /** Lanes held (outermost unit only). */
  readonly lanes: readonly string[]
  /** Name for logs and events. */
  readonly label: string | undefined
  /** Callbacks registered in this attempt, in order (kept on the outermost unit). */
  readonly hooks: HookEntry[] = []
  /** Whether the unit has ended. */
  closed = false
  /** Set when the unit was rolled back to its savepoint, with the reason. */
  rolledBack: { readonly reason: unknown } | undefined = undefined
  /** Why a failed outermost attempt may be retried, taken when it failed (the state may move on in a lane batch). */
  conflict: ConflictReason | undefined = undefined
  /** Log position where an outermost unit's body ended (its statements are `savepoint` to here). */
  logEnd = 0
  /** The unit's statements, copied when an attempt fails (a lane batch may cut the log afterwards). */
  logged: readonly string[] | undefined = undefined

  readonly #host: UnitHost

  constructor(
    host: UnitHost,
    state: TransactionState,
    parent: Unit | undefined,
    init: UnitInit,
  ) {
    this.#host = host
    this.state = state
    this.id = parent?.id ?? state.id
    this.attempt = parent?.attempt ?? state.attempt
    this.parent = parent
    this.root = parent?.root ?? this
    this.depth = parent === undefined ? 0 : parent.depth + 1
    this.savepoint = state.length
    this.readOnly = init.readOnly
    this.deadline = init.deadline
    this.joined = init.joined
    this.lanes = init.lanes
    this.label = init.label
  }

  get hasWrites(): boolean {
    return this.state.hasWrites
  }

  get inTransaction(): boolean {
    return true
  }

  get signal(): AbortSignal {
    return this.deadline.signal
  }

  get aborted(): boolean {
    return this.state.abortedBy !== undefined
  }

  query<T extends Row = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    return this.state.run(this, 'query', sql, params) as Promise<T[]>
  }

  execute(sql: string, params?: QueryParams): Promise<ExecuteResult> {
    return this.state.run(this, 'execute', sql, params)
  }

  transaction<T>(
    fn: (tx: Transaction) => Promise<T> | T,
    options?: NestedOptions,
  ): Promise<T> {
    return this.#host.nested(this, fn, options)
  }

  afterCommit(hook: AfterCommitHook): void {
    this.#register('commit', hook)
  }

  afterRollback(hook: AfterRollbackHook): void {
    this.#register('rollback', hook)
  }

  /** SQL of the statements an outermost unit's attempt ran, in order. */
  statements(): readonly string[] {
    return (
      this.logged ?? this.state.statements().slice(this.savepoint, this.logEnd)
    )
  }

  /** Why this unit's work was rolled back by a savepoint (its own or an ancestor's), if it was. */
  rollbackReason(): { readonly reason: unknown } | undefined {
    return this.rolledBack ?? this.parent?.rollbackReason()
  }

  #register(
    kind: 'commit' | 'rollback',
    fn: AfterCommitHook | AfterRollbackHook,
  ): void {
    if (typeof fn !== 'function') {
      throw new InvalidOptionError(
        kind === 'commit' ? 'afterCommit' : 'afterRollback',
        fn,
        'a function',
      )
    }
    if (this.closed) throw new TransactionStateError('closed')
    this.root.hooks.push({ unit: this, kind, fn })
  }
}
