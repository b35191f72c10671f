import type { DuckDBInstance, DuckDBMaterializedResult } from '@duckdb/node-api'
import {
  classifyError,
  type DatabaseError,
  ErrorCodes,
} from '@duckkit/resilience'
import {
  AcquireQueue,
  type GiveUpReason,
  type Waiting,
} from './acquire-queue.js'
import { ConnectionSlot, TX_NONE } from './connection-slot.js'
import { captureOrigin, findLeaks } from './leak-detection.js'
import { openConnection } from './open-connection.js'
import {
  housekeepingInterval,
  PeriodicTask,
  waitAtMost,
} from './periodic-task.js'
import { rollbackLeftover } from './reset-connection.js'
import { threadpoolWarning } from './threadpool.js'
import { probeHealth } from './health.js'
import type { ResolvedPoolOptions } from './options.js'
import {
  PoolAcquireAbortedError,
  PoolAcquireTimeoutError,
  PoolClosedError,
  PoolDownError,
  PoolQueueFullError,
} from './pool-errors.js'
import {
  PoolEmitter,
  type DestroyReason,
  type PoolEventListener,
  type PoolEventName,
  type PoolEvents,
} from './pool-events.js'
import { Lease, type LeaseHost } from './pooled-connection.js'
import { converterFor, readRows } from './row-mapping.js'
import {
  SeenStatements,
  StatementCache,
  type StatementCacheCounters,
} from './statement-cache.js'
import { DeadlineTimer } from './statement-deadline.js'
import {
  interruptUntilSettled,
  runStatement,
  type StatementContext,
} from './run-statement.js'
import type {
  AcquireHook,
  AcquireOperation,
  AcquireOptions,
  CloseOptions,
  ExecuteResult,
  Pool,
  PooledConnection,
  PoolHealth,
  PoolState,
  PoolStats,
  PoolWarning,
  QueryParams,
  ReleaseOptions,
  Row,
  StatementCacheStats,
  StatementOptions,
} from './types.js'
import { WaitSamples } from './wait-samples.js'

interface Counters {
  acquired: number
  released: number
  created: number
  destroyed: number
  timeouts: number
  queueFull: number
  aborted: number
  leaks: number
  statementTimeouts: number
  statementErrors: number
}

/** The pool behind {@link createPool}; see {@link Pool} for the contract. */
export class DuckDBPool implements Pool {
  readonly instance: DuckDBInstance
  readonly warnings: PoolWarning[] = []
  readonly #options: ResolvedPoolOptions
  readonly #ownsInstance: boolean
  readonly #emitter: PoolEmitter
  readonly #idle: ConnectionSlot[] = []
  readonly #slots = new Set<ConnectionSlot>()
  readonly #waiters: AcquireQueue<Lease>
  readonly #hooks: AcquireHook[] = []
  readonly #samples = new WaitSamples()
  readonly #closingSlots = new Set<Promise<void>>()
  readonly #counters: Counters = {
    acquired: 0,
    released: 0,
    created: 0,
    destroyed: 0,
    timeouts: 0,
    queueFull: 0,
    aborted: 0,
    leaks: 0,
    statementTimeouts: 0,
    statementErrors: 0,
  }
  readonly #statementCounters: StatementCacheCounters = {
    hits: 0,
    prepared: 0,
    evicted: 0,
  }
  /** Texts seen run without parameters, shared by every connection's cache. */
  readonly #seen: SeenStatements
  readonly #host: LeaseHost
  readonly #context: StatementContext
  readonly #housekeeper: PeriodicTask
  #pending = 0
  #nextId = 1
  #state: PoolState = 'open'
  #fatal: DatabaseError | undefined = undefined
  #closing: Promise<void> | undefined = undefined
  #onEmpty: (() => void)[] = []
  #lastAcquireTimeoutAt: number | undefined = undefined

  constructor(
    instance: DuckDBInstance,
    ownsInstance: boolean,
    options: ResolvedPoolOptions,
  ) {
    this.instance = instance
    this.#ownsInstance = ownsInstance
    this.#options = options
    this.#waiters = new AcquireQueue(
      options.clock,
      options.acquireTimeoutMs,
      (reason, waiting) => this.#giveUp(reason, waiting),
    )
    this.#emitter = new PoolEmitter((error, event) =>
      options.logger?.error(
        { err: error, event },
        'db-pool: an event listener threw',
      ),
    )
    for (const [event, listener] of Object.entries(options.listeners)) {
      this.#emitter.on(
        event as PoolEventName,
        listener as PoolEventListener<PoolEventName>,
      )
    }
    this.#host = {
      queryOn: (slot, sql, params, statementOptions) =>
        this.#queryOn(slot, sql, params, statementOptions),
      executeOn: (slot, sql, params, statementOptions) =>
        this.#executeOn(slot, sql, params, statementOptions),
      giveBack: (slot, releaseOptions) => this.#giveBack(slot, releaseOptions),
    }
    this.#seen = new SeenStatements(
      Math.max(256, options.statementCacheSize * 4),
    )
    this.#context = {
      clock: options.clock,
      statementTimeoutMs: options.statementTimeoutMs,
      deadlines: new DeadlineTimer(options.clock),
      chaos: options.chaos,
      onStatementError: (slot, error, timeoutMs) =>
        this.#onStatementError(slot, error, timeoutMs),
    }
    this.#housekeeper = new PeriodicTask(
      options.clock,
      housekeepingInterval([
        options.idleTimeoutMs,
        options.maxLifetimeMs,
        options.leakDetectionMs,
      ]),
      () => this.#housekeep(),
    )
  }

  /** Raises configuration warnings, opens `min` connections and starts housekeeping. */
  async start(): Promise<void> {
    const warning = threadpoolWarning(
      this.#options.max,
      this.#options.threadpoolSize,
    )
    if (warning !== undefined) this.#warn(warning)
    const opened = await Promise.allSettled(
      Array.from({ length: this.#options.min }, () => this.#openSlot()),
    )
    const failure = opened.find((result) => result.status === 'rejected')
    for (const result of opened) {
      if (result.status === 'fulfilled') this.#idle.push(result.value)
    }
    if (failure !== undefined) throw failure.reason
    this.#housekeeper.start()
  }

  acquire(options?: AcquireOptions): Promise<PooledConnection> {
    const lease = this.#acquire('acquire', undefined, options?.signal)
    return lease instanceof Lease ? Promise.resolve(lease) : lease
  }

  async withConnection<T>(
    fn: (connection: PooledConnection) => Promise<T>,
    options?: AcquireOptions,
  ): Promise<T> {
    const lease = await this.#acquire(
      'withConnection',
      undefined,
      options?.signal,
    )
    try {
      return await fn(lease)
    } finally {
      void lease.release()
    }
  }

  query<T extends Row = Row>(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<T[]> {
    const lease = this.#acquire('query', sql, options?.signal)
    if (lease instanceof Lease)
      return releaseAfter(lease, lease.query<T>(sql, params, options))
    return lease.then((acquired) =>
      releaseAfter(acquired, acquired.query<T>(sql, params, options)),
    )
  }

  execute(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<ExecuteResult> {
    const lease = this.#acquire('execute', sql, options?.signal)
    if (lease instanceof Lease)
      return releaseAfter(lease, lease.execute(sql, params, options))
    return lease.then((acquired) =>
      releaseAfter(acquired, acquired.execute(sql, params, options)),
    )
  }

  addAcquireHook(hook: AcquireHook): () => void {
    this.#hooks.push(hook)
    return () => {
      const index = this.#hooks.indexOf(hook)
      if (index !== -1) this.#hooks.splice(index, 1)
    }
  }

  on<E extends PoolEventName>(event: E, listener: PoolEventListener<E>): this {
    this.#emitter.on(event, listener)
    return this
  }

  off<E extends PoolEventName>(event: E, listener: PoolEventListener<E>): this {
    this.#emitter.off(event, listener)
    return this
  }

  stats(): PoolStats {
    const size = this.#slots.size
    const idle = this.#idle.length
    return {
      state: this.#state,
      size,
      idle,
      inUse: size - idle,
      waiting: this.#waiters.size,
      pending: this.#pending,
      min: this.#options.min,
      max: this.#options.max,
      ...this.#counters,
      statementCache: this.#statementCacheStats(),
      acquireWaitMs: this.#samples.summary(),
    }
  }

  #statementCacheStats(): StatementCacheStats {
    let size = 0
    for (const slot of this.#slots) size += slot.statements.size
    return { size, ...this.#statementCounters }
  }

  health(): Promise<PoolHealth> {
    return probeHealth({
      state: this.#state,
      fatal: this.#fatal,
      stats: () => this.stats(),
      clock: this.#options.clock,
      timeoutMs: this.#options.healthTimeoutMs,
      lastAcquireTimeoutAt: this.#lastAcquireTimeoutAt,
      probe: async (signal) => {
        const lease = await this.#acquireNow(signal)
        try {
          await lease.query('SELECT 1', undefined, {
            timeoutMs: this.#options.healthTimeoutMs,
            signal,
          })
        } finally {
          void lease.release()
        }
      },
    })
  }

  close(options?: CloseOptions): Promise<void> {
    this.#closing ??= this.#close(
      options?.timeoutMs ?? this.#options.closeTimeoutMs,
    )
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  // ---- acquiring -------------------------------------------------------------

  /** A lease at once when a connection is idle (the common case), else a promise of one. */
  #acquire(
    operation: AcquireOperation,
    sql: string | undefined,
    signal: AbortSignal | undefined,
  ): Lease | Promise<Lease> {
    if (this.#hooks.length > 0) {
      const info = sql === undefined ? { operation } : { operation, sql }
      try {
        for (let index = 0; index < this.#hooks.length; index += 1)
          this.#hooks[index]?.(info)
      } catch (error) {
        return rejectWith(error)
      }
    }
    const chaos = this.#options.chaos
    if (chaos !== undefined && this.#state === 'open') {
      return chaos.maybeInject('db-pool.acquire').then(
        () => this.#acquireNow(signal),
        (error: unknown) => Promise.reject(classifyError(error)),
      )
    }
    return this.#acquireNow(signal)
  }

  #acquireNow(signal: AbortSignal | undefined): Lease | Promise<Lease> {
    if (this.#state !== 'open') return Promise.reject(this.#unavailable())
    if (signal?.aborted === true) {
      this.#counters.aborted += 1
      return Promise.reject(new PoolAcquireAbortedError(signal.reason))
    }
    const origin =
      this.#options.leakDetectionMs > 0 ? captureOrigin() : undefined
    const now = this.#options.clock.now()
    const slot = this.#takeIdle(now)
    if (slot !== undefined) return this.#lend(slot, origin, now, 0)
    // Callers a connection still to be opened will serve do not count against maxWaiting.
    const openable = Math.max(0, this.#options.max - this.#slots.size)
    if (this.#waiters.size - openable >= this.#options.maxWaiting) {
      this.#counters.queueFull += 1
      return Promise.reject(new PoolQueueFullError(this.#options.maxWaiting))
    }
    const waiting = this.#waiters.wait({ enqueuedAt: now, origin, signal })
    this.#grow()
    return waiting
  }

  #expired(slot: ConnectionSlot, now: number): boolean {
    const lifetime = this.#options.maxLifetimeMs
    return lifetime > 0 && now - slot.createdAt >= lifetime
  }

  #takeIdle(now: number): ConnectionSlot | undefined {
    for (
      let slot = this.#idle.pop();
      slot !== undefined;
      slot = this.#idle.pop()
    ) {
      if (this.#expired(slot, now)) {
        this.#retire(slot, 'lifetime')
        continue
      }
      return slot
    }
    return undefined
  }

  #lend(
    slot: ConnectionSlot,
    origin: Error | undefined,
    now: number,
    waitedMs: number,
  ): Lease {
    const lease = new Lease(this.#host, slot, now, origin)
    slot.borrower = lease
    this.#counters.acquired += 1
    this.#samples.record(waitedMs)
    return lease
  }

  #giveUp(reason: GiveUpReason, waiting: Waiting): Error {
    if (reason === 'abort') {
      this.#counters.aborted += 1
      return new PoolAcquireAbortedError(waiting.signal?.reason)
    }
    this.#counters.timeouts += 1
    this.#lastAcquireTimeoutAt = this.#options.clock.now()
    const { acquireTimeoutMs } = this.#options
    const stillWaiting = this.#waiters.size
    this.#emit('acquireTimeout', {
      timeoutMs: acquireTimeoutMs,
      waiting: stillWaiting,
    })
    return new PoolAcquireTimeoutError(
      acquireTimeoutMs,
      stillWaiting,
      this.#slots.size - this.#idle.length,
    )
  }

  /** Hands a free connection to the oldest waiter, or parks it. */
  #makeAvailable(slot: ConnectionSlot, now = this.#options.clock.now()): void {
    const served = this.#waiters.serve((waiting) =>
      this.#lend(slot, waiting.origin, now, now - waiting.enqueuedAt),
    )
    if (served) return
    slot.idleSince = now
    this.#idle.push(slot)
  }

  // ---- opening and closing connections ---------------------------------------

  async #openSlot(): Promise<ConnectionSlot> {
    const id = this.#nextId
    this.#nextId += 1
    const started = performance.now()
    const raw = await openConnection(this.instance, id, this.#options.init)
    const slot = new ConnectionSlot(
      id,
      raw,
      new StatementCache(
        raw,
        this.#options.statementCacheSize,
        this.#statementCounters,
        this.#seen,
      ),
      this.#options.clock.now(),
    )
    this.#slots.add(slot)
    this.#counters.created += 1
    this.#emit('connectionCreated', {
      connectionId: id,
      durationMs: performance.now() - started,
    })
    return slot
  }

  /** Opens connections while callers wait and there is room under `max`. */
  #grow(): void {
    const { max } = this.#options
    while (
      this.#state === 'open' &&
      this.#waiters.size > this.#pending &&
      this.#slots.size + this.#pending < max
    ) {
      this.#open(true)
    }
  }

  /** Opens connections in the background until `min` are open. */
  #fillToMin(): void {
    while (
      this.#state === 'open' &&
      this.#slots.size + this.#pending < this.#options.min
    )
      this.#open(false)
  }

  #open(forWaiter: boolean): void {
    this.#pending += 1
    this.#openSlot().then(
      (slot) => {
        this.#pending -= 1
        if (this.#state === 'open') this.#makeAvailable(slot)
        else this.#destroy(slot, 'closing')
        this.#checkEmpty()
      },
      (error: DatabaseError) => {
        this.#pending -= 1
        this.#options.logger?.error(
          { err: error },
          'db-pool: could not open a connection',
        )
        this.#emit('connectionError', { phase: 'create', error })
        if (error.code === ErrorCodes.fatal) this.#markDown(error)
        if (forWaiter) this.#waiters.failOldest(error)
        this.#checkEmpty()
      },
    )
  }

  /** Closes a connection (after its running call settles) and opens replacements as needed. */
  #retire(slot: ConnectionSlot, reason: DestroyReason): void {
    this.#destroy(slot, reason)
    this.#grow()
    this.#fillToMin()
  }

  #destroy(slot: ConnectionSlot, reason: DestroyReason): void {
    if (!this.#slots.delete(slot)) return
    slot.broken = true
    this.#counters.destroyed += 1
    if (slot.busy) {
      const settled = slot.settled()
      interruptUntilSettled(this.#options.clock, slot, settled)
      const closed = settled.then(() => slot.close())
      this.#closingSlots.add(closed)
      void closed.then(() => this.#closingSlots.delete(closed))
    } else {
      slot.close()
    }
    this.#emit('connectionDestroyed', { connectionId: slot.id, reason })
    this.#checkEmpty()
  }

  // ---- giving connections back -------------------------------------------------

  #giveBack(
    slot: ConnectionSlot,
    options: ReleaseOptions | undefined,
  ): Promise<void> {
    this.#counters.released += 1
    slot.borrower = undefined
    if (options?.destroy === true) {
      this.#retire(slot, options.reason ?? 'released')
      return Promise.resolve()
    }
    if (slot.busy) return slot.settled().then(() => this.#recycle(slot))
    const now = this.#options.clock.now()
    if (!slot.dirty && this.#state === 'open' && !this.#expired(slot, now)) {
      this.#makeAvailable(slot, now)
      return Promise.resolve()
    }
    return this.#recycle(slot)
  }

  /** Makes a returned connection clean (or replaces it) and puts it back into service. */
  async #recycle(slot: ConnectionSlot): Promise<void> {
    if (this.#state !== 'open')
      return this.#destroy(slot, this.#state === 'down' ? 'broken' : 'closing')
    if (slot.broken) return this.#retire(slot, 'broken')
    // A fresh connection is the only reset that also restores what `init` set
    // (RESET would restore DuckDB's defaults instead); opening one costs ~0.1 ms.
    if (slot.sessionDirty) return this.#retire(slot, 'session')
    if (this.#expired(slot, this.#options.clock.now()))
      return this.#retire(slot, 'lifetime')
    if (slot.tx !== TX_NONE) {
      const failure = await rollbackLeftover(slot)
      if (failure === undefined) return this.#recycle(slot)
      this.#options.logger?.warn(
        { err: failure, connectionId: slot.id },
        'db-pool: rollback on release failed',
      )
      this.#emit('connectionError', { phase: 'reset', error: failure })
      if (failure.code === ErrorCodes.fatal) this.#markDown(failure)
      return this.#retire(slot, 'reset-failed')
    }
    this.#makeAvailable(slot)
  }

  // ---- statements ------------------------------------------------------------------

  #queryOn(
    slot: ConnectionSlot,
    sql: string,
    params: QueryParams | undefined,
    options: StatementOptions | undefined,
  ): Promise<Row[]> {
    const converter = converterFor(options?.rowMode ?? this.#options.rowMode)
    return runStatement(this.#context, slot, sql, params, options, (result) =>
      readRows(result, converter),
    )
  }

  #executeOn(
    slot: ConnectionSlot,
    sql: string,
    params: QueryParams | undefined,
    options: StatementOptions | undefined,
  ): Promise<ExecuteResult> {
    return runStatement(
      this.#context,
      slot,
      sql,
      params,
      options,
      toExecuteResult,
    )
  }

  #onStatementError(
    slot: ConnectionSlot,
    error: DatabaseError,
    timeoutMs: number,
  ): void {
    this.#counters.statementErrors += 1
    if (error.code === ErrorCodes.queryTimeout) {
      this.#counters.statementTimeouts += 1
      this.#options.logger?.warn(
        { connectionId: slot.id, timeoutMs, sql: error.sql },
        'db-pool: statement timed out',
      )
      this.#emit('statementTimeout', {
        connectionId: slot.id,
        timeoutMs,
        sql: error.sql ?? '',
      })
    } else if (error.code === ErrorCodes.fatal) {
      slot.broken = true
      this.#markDown(error)
    }
  }

  #markDown(error: DatabaseError): void {
    if (this.#state !== 'open') return
    this.#state = 'down'
    this.#fatal = error
    this.#options.logger?.error(
      { err: error },
      'db-pool: the database was invalidated; the pool is down',
    )
    this.#emit('down', { error })
    this.#waiters.failAll(() => this.#unavailable())
    for (const slot of this.#idle.splice(0)) this.#destroy(slot, 'broken')
  }

  #unavailable(): DatabaseError {
    if (this.#state === 'down') return new PoolDownError(this.#fatal)
    return new PoolClosedError()
  }

  // ---- housekeeping ----------------------------------------------------------------

  #housekeep(): void {
    if (this.#state !== 'open') return
    const now = this.#options.clock.now()
    const { idleTimeoutMs, leakDetectionMs, min } = this.#options
    // Oldest idle connections sit at the bottom of the stack.
    for (const slot of [...this.#idle]) {
      let reason: DestroyReason | undefined
      if (this.#expired(slot, now)) reason = 'lifetime'
      else if (
        idleTimeoutMs > 0 &&
        now - slot.idleSince >= idleTimeoutMs &&
        this.#slots.size > min
      )
        reason = 'idle'
      if (reason === undefined) continue
      this.#idle.splice(this.#idle.indexOf(slot), 1)
      this.#destroy(slot, reason)
    }
    if (leakDetectionMs > 0) {
      for (const leak of findLeaks(this.#slots, now, leakDetectionMs)) {
        this.#counters.leaks += 1
        this.#options.logger?.warn(
          leak,
          'db-pool: connection held longer than leakDetectionMs',
        )
        this.#emit('leak', leak)
      }
    }
    this.#fillToMin()
  }

  // ---- closing ---------------------------------------------------------------------

  async #close(timeoutMs: number): Promise<void> {
    if (this.#state === 'open' || this.#state === 'down')
      this.#state = 'closing'
    this.#housekeeper.stop()
    this.#waiters.failAll(() => new PoolClosedError())
    for (const slot of this.#idle.splice(0)) this.#destroy(slot, 'closing')
    await this.#waitEmpty(timeoutMs)
    const revoked = new PoolClosedError(
      'The pool was closed while this connection was borrowed',
    )
    for (const slot of [...this.#slots]) {
      ;(slot.borrower as Lease | undefined)?.revoke(revoked)
      this.#destroy(slot, 'closing')
    }
    await waitAtMost(
      this.#options.clock,
      Promise.all(this.#closingSlots),
      Math.max(timeoutMs, 1000),
    )
    if (this.#ownsInstance) {
      try {
        this.instance.closeSync()
      } catch {
        // Closing twice is harmless.
      }
    }
    this.#context.deadlines.stop()
    this.#state = 'closed'
  }

  #checkEmpty(): void {
    if (this.#slots.size > 0 || this.#pending > 0 || this.#onEmpty.length === 0)
      return
    const callbacks = this.#onEmpty
    this.#onEmpty = []
    for (const callback of callbacks) callback()
  }

  /** Resolves when every connection is back and closed, or after `timeoutMs`. */
  #waitEmpty(timeoutMs: number): Promise<void> {
    if (this.#slots.size === 0 && this.#pending === 0) return Promise.resolve()
    return waitAtMost(
      this.#options.clock,
      new Promise<void>((resolve) => this.#onEmpty.push(resolve)),
      timeoutMs,
    )
  }

  #warn(warning: PoolWarning): void {
    this.warnings.push(warning)
    this.#options.logger?.warn({ code: warning.code }, warning.message)
    this.#emit('warning', warning)
  }

  #emit<E extends PoolEventName>(event: E, payload: PoolEvents[E]): void {
    this.#emitter.emit(event, payload)
  }
}

/** A promise rejected with exactly what a hook threw (which need not be an `Error`). */
// eslint-disable-next-line @typescript-eslint/require-await
async function rejectWith(error: unknown): Promise<never> {
  throw error
}

function toExecuteResult(result: DuckDBMaterializedResult): ExecuteResult {
  return { rowsChanged: result.rowsChanged }
}

/** Gives the lease back once `work` settles (without waiting for the clean-up), passing its outcome on. */
function releaseAfter<T>(lease: Lease, work: Promise<T>): Promise<T> {
  return work.then(
    (value) => {
      void lease.release()
      return value
    },
    (error: Error) => {
      void lease.release()
      throw error
    },
  )
}
