import { AsyncLocalStorage } from 'node:async_hooks'
import type { QueryParams, Row } from '@duckkit/db-pool'
import { InvalidOptionError, retry } from '@duckkit/resilience'
import { AgeWatch } from './age-watch.js'
import { createCallScope } from './call-scope.js'
import { Emitter, type Listener as EventListener } from '@duckkit/resilience'
import {
  PoolAccessInTransactionError,
  TransactionManagerClosedError,
} from './errors.js'
import type { TransactionEvents, TransactionStats } from './events.js'
import { ManagerStats } from './manager-stats.js'
import { runNested, type NestedHost } from './nested-unit.js'
import { runAttempt, type AttemptHost } from './run-attempt.js'
import {
  resolveManagerOptions,
  resolveUnitOptions,
  type ManagerSettings,
  type TransactionManagerOptions,
  type UnitSettings,
} from './options.js'
import { rejectWith } from './reject.js'
import { retryReason, unwrapAbort } from './retry-reason.js'
import { runHooks } from './run-hooks.js'
import { statementKind } from './statement-kind.js'
import type { TransactionManager } from './transaction-manager-api.js'
import type { SendSettings, StateReporter } from './transaction-state.js'
import type {
  AcquireInfo,
  ExecuteResult,
  NestedOptions,
  Transaction,
  TransactionListener,
  TransactionOptions,
} from './types.js'
import { type Unit, type UnitHost } from './unit.js'
import { WriteLanes } from './write-lanes.js'
import type { LaneBatch } from './lane-batch.js'

/**
 * Creates a transaction manager over a pool.
 *
 * @example
 * ```ts
 * const pool = await createPool({ path: 'app.duckdb' })
 * const tm = createTransactionManager({ pool })
 * const id = await tm.transaction(async (tx) => {
 *   const [row] = await tx.query<{ id: number }>('INSERT INTO orders (total) VALUES ($1) RETURNING id', [42])
 *   tx.afterCommit(() => mailer.send(row?.id))
 *   return row?.id
 * })
 * ```
 */
export function createTransactionManager(
  options: TransactionManagerOptions,
): TransactionManager {
  return new Manager(resolveManagerOptions(options))
}

class Manager implements TransactionManager, UnitHost {
  readonly #settings: ManagerSettings
  readonly #als = new AsyncLocalStorage<Unit>()
  readonly #listeners: TransactionListener[]
  readonly #lanes = new WriteLanes<LaneBatch>()
  readonly #events: Emitter<TransactionEvents>
  readonly #stats: ManagerStats
  readonly #nestedHost: NestedHost
  readonly #attemptHost: AttemptHost
  readonly #ages: AgeWatch | undefined
  /** Settings of a unit called without options (resolved once). */
  readonly #plainUnit: UnitSettings
  #active = 0
  #drained: (() => void)[] = []
  readonly #reporter: StateReporter
  readonly #send: SendSettings
  readonly #removeHook: (() => void) | undefined
  #nextId = 0
  #closed = false

  constructor(settings: ManagerSettings) {
    this.#settings = settings
    this.#listeners = [...settings.listeners]
    this.#stats = new ManagerStats(settings.durationWindow)
    this.#nestedHost = {
      als: this.#als,
      units: this,
      clock: settings.clock,
      counts: this.#stats.counts,
      emit: (event, payload) => {
        this.#emit(event, payload)
      },
    }
    this.#send = {
      statementTimeoutMs: settings.statementTimeoutMs,
      clock: settings.clock,
    }
    this.#plainUnit = resolveUnitOptions(undefined, settings.retry)
    this.#ages =
      settings.maxAgeMs > 0
        ? new AgeWatch(settings.maxAgeMs, settings.clock)
        : undefined
    this.#events = new Emitter((error) => {
      settings.logger?.warn({ err: error }, 'db-tx event listener threw')
    })
    this.#reporter = {
      aborted: (state, error) => {
        this.#stats.counts.aborted += 1
        this.#emit('aborted', { id: state.id, attempt: state.attempt, error })
      },
      conflict: (state, source, error) => {
        this.#stats.conflicts[source] += 1
        this.#emit('conflict', {
          id: state.id,
          attempt: state.attempt,
          source,
          error,
        })
      },
    }
    this.#attemptHost = {
      pool: settings.pool,
      maxAgeMs: settings.maxAgeMs,
      ages: this.#ages,
      lanes: this.#lanes,
      batch: {
        lanes: this.#lanes,
        maxUnits: settings.laneBatchSize,
        logger: settings.logger,
        replayed: (_unit, statements) => {
          this.#stats.counts.replays += 1
          this.#stats.counts.replayedStatements += statements
        },
        diverged: (unit, statementIndex, sql) => {
          this.#stats.counts.replayDivergences += 1
          this.#emit('replay-divergence', {
            id: unit.id,
            depth: 0,
            statementIndex,
            sql,
          })
        },
      },
      als: this.#als,
      units: this,
      reporter: this.#reporter,
      send: this.#send,
      counts: this.#stats.counts,
      logger: settings.logger,
      listens: (event) => this.#events.has(event),
      emit: (event, payload) => {
        this.#emit(event, payload)
      },
    }
    const { pool, guardPoolAccess } = settings
    this.#removeHook =
      guardPoolAccess !== 'off' && typeof pool.addAcquireHook === 'function'
        ? pool.addAcquireHook((info) => {
            this.#guard(info)
          })
        : undefined
  }

  get hasWrites(): boolean {
    return this.#open()?.hasWrites ?? false
  }

  get inTransaction(): boolean {
    return this.#open() !== undefined
  }

  transaction<T>(
    fn: (tx: Transaction) => Promise<T> | T,
    options?: TransactionOptions,
  ): Promise<T> {
    let settings: UnitSettings
    try {
      if (typeof fn !== 'function')
        throw new InvalidOptionError('fn', fn, 'a function')
      settings =
        options === undefined
          ? this.#plainUnit
          : resolveUnitOptions(options, this.#settings.retry)
    } catch (error) {
      return rejectWith(error)
    }
    const current = this.#open()
    if (current !== undefined)
      return runNested(this.#nestedHost, current, fn, settings)
    if (this.#closed) return Promise.reject(new TransactionManagerClosedError())
    this.#active += 1
    const promise = this.#root(fn, settings)
    promise.then(this.#settled, this.#settled)
    return promise
  }

  readonly #settled = (): void => {
    this.#active -= 1
    if (this.#active === 0 && this.#drained.length > 0) {
      const waiting = this.#drained
      this.#drained = []
      for (const resolve of waiting) resolve()
    }
  }

  nested<T>(
    parent: Unit,
    fn: (tx: Transaction) => Promise<T> | T,
    options?: NestedOptions,
  ): Promise<T> {
    try {
      if (typeof fn !== 'function')
        throw new InvalidOptionError('fn', fn, 'a function')
      return runNested(
        this.#nestedHost,
        parent,
        fn,
        resolveUnitOptions(options, false),
      )
    } catch (error) {
      return rejectWith(error)
    }
  }

  current(): Transaction | undefined {
    return this.#open()
  }

  query<T extends Row = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    const unit = this.#open()
    if (unit !== undefined) return unit.query<T>(sql, params)
    return this.#settings.pool.query(sql, params) as Promise<T[]>
  }

  execute(sql: string, params?: QueryParams): Promise<ExecuteResult> {
    const unit = this.#open()
    if (unit !== undefined) return unit.execute(sql, params)
    return this.#settings.pool.execute(sql, params)
  }

  outside<T>(fn: () => T): T {
    return this.#als.exit(fn)
  }

  addListener(listener: TransactionListener): () => void {
    if (
      typeof listener !== 'object' ||
      listener === null ||
      (listener.afterCommit !== undefined &&
        typeof listener.afterCommit !== 'function') ||
      (listener.afterRollback !== undefined &&
        typeof listener.afterRollback !== 'function')
    ) {
      throw new InvalidOptionError(
        'listener',
        listener,
        'a TransactionListener object',
      )
    }
    this.#listeners.push(listener)
    return () => {
      const index = this.#listeners.indexOf(listener)
      if (index !== -1) this.#listeners.splice(index, 1)
    }
  }

  on<K extends keyof TransactionEvents>(
    event: K,
    listener: EventListener<TransactionEvents[K]>,
  ): () => void {
    return this.#events.on(event, listener)
  }

  stats(): TransactionStats {
    return this.#stats.snapshot(this.#active, this.#lanes.waits)
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#active > 0) {
      await new Promise<void>((resolve) => {
        this.#drained.push(resolve)
      })
    }
    this.#ages?.stop()
    this.#removeHook?.()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** The unit of the current context while its transaction is open. */
  #open(): Unit | undefined {
    const unit = this.#als.getStore()
    // A finished outermost unit counts as closed even while a lane batch
    // carries its transaction on for later members.
    return unit === undefined ||
      unit.state.closed ||
      (unit.closed && unit.parent === undefined)
      ? undefined
      : unit
  }

  #guard(info: AcquireInfo): void {
    if (this.#open() === undefined) return
    const refuse =
      this.#settings.guardPoolAccess === 'all' ||
      info.operation !== 'query' ||
      info.sql === undefined ||
      statementKind(info.sql) !== 'read'
    if (!refuse) return
    this.#stats.counts.poolAccessRefused += 1
    throw new PoolAccessInTransactionError(info.operation, { sql: info.sql })
  }

  async #root<T>(
    fn: (tx: Transaction) => Promise<T> | T,
    settings: UnitSettings,
  ): Promise<T> {
    const id = (this.#nextId += 1)
    const { clock } = this.#settings
    const startedAt = clock.now()
    this.#stats.counts.started += 1
    const call = createCallScope(
      settings.timeoutMs,
      settings.signal,
      clock,
      () => {
        this.#stats.counts.timeouts += 1
        this.#emit('timeout', {
          id,
          depth: 0,
          reason: 'timeout',
          timeoutMs: settings.timeoutMs,
        })
      },
    )
    let last: Unit | undefined
    let attempts = 0
    const attempt = (number: number): Promise<T> => {
      attempts = number
      last = undefined
      return runAttempt(
        this.#attemptHost,
        id,
        number,
        fn,
        settings,
        call,
        (unit) => {
          last = unit
        },
      )
    }
    try {
      let value: T
      try {
        value = await attempt(1)
      } catch (first) {
        const policy = settings.retry
        if (
          policy === false ||
          policy.maxAttempts <= 1 ||
          retryReason(last, first) === undefined
        )
          throw first
        // The retry loop starts only after a conflict, so the common path pays nothing for it.
        value = await retry(
          ({ attempt: number }) =>
            number === 1 ? rejectWith(first) : attempt(number),
          {
            maxAttempts: policy.maxAttempts,
            initialDelayMs: policy.initialDelayMs,
            maxDelayMs: policy.maxDelayMs,
            jitter: policy.jitter,
            clock,
            random: this.#settings.random,
            signal: call.signal,
            shouldRetry: (error) => retryReason(last, error) !== undefined,
            onRetry: ({ attempt: number, delayMs, error }) => {
              const reason = retryReason(last, error) ?? 'statement-conflict'
              this.#stats.retries[reason] += 1
              this.#emit('retry', {
                id,
                attempt: number,
                reason,
                delayMs,
                error,
              })
            },
          },
        )
      }
      const durationMs = clock.now() - startedAt
      this.#stats.counts.committed += 1
      this.#stats.durations.add(durationMs)
      if (this.#events.has('commit')) {
        const statements = last === undefined ? 0 : last.logEnd - last.savepoint
        this.#emit('commit', {
          id,
          attempts,
          durationMs,
          statements,
          label: settings.label,
        })
      }
      if (
        last !== undefined &&
        (this.#listeners.length > 0 || last.hooks.length > 0)
      ) {
        await this.#finish(last, 'commit', undefined)
      }
      return value
    } catch (failure) {
      const error = unwrapAbort(failure, call.signal)
      const durationMs = clock.now() - startedAt
      this.#stats.counts.rolledBack += 1
      this.#stats.durations.add(durationMs)
      this.#emit('rollback', {
        id,
        attempts,
        durationMs,
        error,
        label: settings.label,
      })
      if (
        last !== undefined &&
        (this.#listeners.length > 0 || last.hooks.length > 0)
      ) {
        await this.#finish(last, 'rollback', error)
      }
      throw error
    } finally {
      call.dispose()
    }
  }

  #hookFailed(
    id: number,
    hook: 'afterCommit' | 'afterRollback',
    source: 'listener' | 'callback',
    error: unknown,
  ): void {
    this.#stats.counts.hookErrors += 1
    this.#settings.logger?.error(
      { err: error, id, hook, source },
      `db-tx ${hook} ${source} threw`,
    )
    this.#emit('hook-error', { id, hook, source, error })
  }

  /** Runs listeners and callbacks of the final attempt outside the finished transaction. */
  #finish(
    root: Unit,
    outcome: 'commit' | 'rollback',
    error: unknown,
  ): Promise<void> {
    return this.#als.exit(() =>
      runHooks(
        root,
        outcome,
        error,
        [...this.#listeners],
        (hook, source, hookError) => {
          this.#hookFailed(root.id, hook, source, hookError)
        },
      ),
    )
  }

  #emit<K extends keyof TransactionEvents>(
    event: K,
    payload: TransactionEvents[K],
  ): void {
    this.#events.emit(event, payload)
  }
}
