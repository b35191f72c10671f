import { type Clock, type TimerHandle } from '@duckkit/resilience'
import { type Cluster, type Redis } from 'ioredis'
import {
  BUMP_SCRIPT,
  type BusMessage,
  formatAck,
  HEARTBEAT_SCRIPT,
  parseBusMessage,
  parseInstanceMessage,
} from './bus-protocol.js'
import { type RedisGuard } from './redis-guard.js'
import { type RedisKeys } from './redis-keys.js'
import { EPOCH_DEP, type Check, type VersionSource } from './version-source.js'
import { VersionMirror } from './version-mirror.js'

/** Why an instance dropped its whole L1. */
type FlushReason = 'gap' | 'reconnect' | 'reset'

/** What the coherence layer tells the cache about. */
export interface CoherenceHooks {
  /** Drop every L1 entry. */
  flushL1(reason: FlushReason): void
  /** Drop one key from L1 (another instance set or deleted it). */
  dropL1Key(key: string): void
  /** A namespace reset was applied (views may have changed: forget parsed SQL). */
  onReset(): void
  /** A bus message arrived. */
  onMessage(message: BusMessage): void
  /** Messages were missed between `expected` and `received`. */
  onGap(expected: number, received: number): void
  /** The bus became trusted or stopped being trusted. */
  onBusState(trusted: boolean): void
  /** Instances that did not acknowledge a bump before the lease ran out. */
  onAckTimeout(missing: readonly string[]): void
  /** A bump could not reach Redis; it will be replayed. */
  onDeferred(deps: readonly string[], reset: boolean, error: unknown): void
  /** Deferred bumps were replayed. */
  onReplayed(deps: readonly string[], reset: boolean): void
}

/** Settings of {@link RedisCoherence}. */
export interface RedisCoherenceSettings {
  readonly client: Redis | Cluster
  readonly subscriber: Redis | Cluster
  readonly keys: RedisKeys
  readonly guard: RedisGuard
  readonly clock: Clock
  readonly instanceId: string
  readonly leaseMs: number
  readonly maxTracked: number
  readonly hooks: CoherenceHooks
}

interface AckWaiter {
  readonly seq: number
  /** Instances that have not acknowledged yet -> when their lease ends at the latest (clock ms). */
  readonly pending: Map<string, number>
  readonly resolve: () => void
  timer: TimerHandle
}

/**
 * Versions in Redis, mirrored locally and kept current by a pub/sub bus.
 *
 * - Bumps run as one Lua script that increments the counters and publishes
 *   the message with the next sequence number, so messages leave Redis in
 *   order; a receiver that sees a gap drops its L1 and mirror.
 * - Every instance renews a lease with a heartbeat that echoes back over its
 *   own subscription; the lease starts when the heartbeat was sent, so while it
 *   holds, every message published before that moment has been applied.
 * - A bump resolves once every instance whose lease may still run has
 *   acknowledged it (applied it to its L1) or its lease has ended, after
 *   which it no longer trusts its L1.
 */
export class RedisCoherence implements VersionSource {
  readonly #s: RedisCoherenceSettings
  readonly #mirror: VersionMirror
  readonly #channel: string
  #lastApplied: number | undefined
  #subscribed = false
  #leaseUntil = 0
  #wasTrusted = false
  #needsFlush = false
  #generation = 0
  #nextToken = 1
  readonly #heartbeats = new Map<number, number>()
  readonly #acked = new Map<string, number>()
  readonly #waiters = new Set<AckWaiter>()
  readonly #pending = new Set<string>()
  #pendingReset = false
  #replaying = false
  #timer: TimerHandle
  #closed = false

  constructor(settings: RedisCoherenceSettings) {
    this.#s = settings
    this.#mirror = new VersionMirror(settings.maxTracked)
    this.#channel = settings.keys.instance(settings.instanceId)
    const sub = settings.subscriber
    sub.on('ready', this.#onReady)
    sub.on('close', this.#onDown)
    sub.on('end', this.#onDown)
    sub.on('message', this.#onMessage)
    settings.client.on('ready', this.#onClientReady)
    if (sub.status === 'ready') this.#onReady()
    this.#schedule()
  }

  get trusted(): boolean {
    return this.#trustedAt(this.#s.clock.now())
  }

  get generation(): number {
    return this.#generation
  }

  /** True while a bump that could not reach Redis waits for replay: the cache must not be used. */
  get blocked(): boolean {
    return this.#pendingReset || this.#pending.size > 0
  }

  /** Last sequence number applied in order, if the bus is in sync. */
  get lastApplied(): number | undefined {
    return this.#lastApplied
  }

  check(deps: readonly string[], versions: readonly number[]): Check {
    if (!this.trusted) return 'unknown'
    return this.#mirror.check(deps, versions)
  }

  checkLastKnown(deps: readonly string[], versions: readonly number[]): Check {
    return this.#mirror.check(deps, versions)
  }

  peek(
    deps: readonly string[],
    now = this.#s.clock.now(),
  ): number[] | undefined {
    return this.#trustedAt(now) ? this.#mirror.peek(deps) : undefined
  }

  async read(deps: readonly string[]): Promise<number[]> {
    const { client, keys, guard } = this.#s
    const reply = await guard.run('versions', () =>
      client.hmget(keys.versions, 's', EPOCH_DEP, ...deps),
    )
    const seq = toNumber(reply[0]) ?? 0
    const floor = toNumber(reply[1]) ?? 0
    const values = deps.map((dep, i) =>
      dep === EPOCH_DEP ? floor : (toNumber(reply[i + 2]) ?? floor),
    )
    this.#learn(seq, deps, values)
    return values
  }

  async bump(deps: readonly string[], reset: boolean): Promise<void> {
    if (this.#closed) return
    try {
      await this.#publish(reset ? 'r' : 'b', reset ? [] : deps)
    } catch (error) {
      if (reset) this.#pendingReset = true
      else for (const dep of deps) this.#pending.add(dep)
      this.#s.hooks.onDeferred(deps, reset, error)
    }
  }

  async dropKey(key: string): Promise<void> {
    if (this.#closed) return
    try {
      await this.#publish('d', [key])
    } catch {
      // Other instances keep the key in L1 until its versions move or its TTL ends.
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer !== undefined) this.#s.clock.clearTimeout(this.#timer)
    for (const waiter of this.#waiters) this.#finish(waiter)
    const { client, subscriber, keys, guard } = this.#s
    client.off('ready', this.#onClientReady)
    subscriber.off('ready', this.#onReady)
    subscriber.off('close', this.#onDown)
    subscriber.off('end', this.#onDown)
    subscriber.off('message', this.#onMessage)
    this.#subscribed = false
    await guard
      .run('unregister', () => client.hdel(keys.members, this.#s.instanceId))
      .catch(() => undefined)
    subscriber.disconnect()
  }

  #trustedAt(now: number): boolean {
    return (
      this.#subscribed &&
      this.#lastApplied !== undefined &&
      now < this.#leaseUntil
    )
  }

  /** Runs the bump script, applies the result here, then waits for the other instances. */
  async #publish(
    kind: 'b' | 'r' | 'd',
    items: readonly string[],
  ): Promise<void> {
    const { client, keys, guard, instanceId } = this.#s
    const reply = (await guard.run('bump', () =>
      client.eval(
        BUMP_SCRIPT,
        2,
        keys.versions,
        keys.members,
        keys.bus,
        instanceId,
        kind,
        JSON.stringify(items),
      ),
    )) as string[]
    const seq = Number(reply[0])
    this.#generation += 1
    if (kind === 'b') {
      for (const dep of items) this.#mirror.raise(dep, seq)
    } else if (kind === 'r') {
      // The caller already dropped its L1 and parsed SQL.
      if (this.#lastApplied === undefined) this.#mirror.clear()
      else this.#mirror.reset(seq)
    }
    await this.#awaitAcks(seq, reply.slice(1))
  }

  /**
   * Waits until every other live instance acknowledged `seq`, or its lease
   * has ended. `members` alternates ids and milliseconds until the end of the
   * lease of each instance's latest heartbeat (Redis time, at the bump): a
   * later heartbeat's echo arrives after the bump's message, so no instance
   * can trust its L1 past that point without having applied the bump.
   */
  #awaitAcks(seq: number, members: readonly string[]): Promise<void> {
    const now = this.#s.clock.now()
    const pending = new Map<string, number>()
    for (let i = 0; i + 1 < members.length; i += 2) {
      const id = members[i] as string
      if (id === this.#s.instanceId || (this.#acked.get(id) ?? -1) >= seq) {
        continue
      }
      // A margin for clocks that do not run at exactly the same rate.
      const remaining = Number(members[i + 1])
      pending.set(id, now + Math.ceil(remaining * 1.05) + 10)
    }
    if (pending.size === 0 || this.#closed) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const waiter: AckWaiter = { seq, pending, resolve, timer: undefined }
      this.#waiters.add(waiter)
      this.#arm(waiter)
    })
  }

  /** Sets the waiter's timer to the latest lease end among the instances it still waits for. */
  #arm(waiter: AckWaiter): void {
    this.#s.clock.clearTimeout(waiter.timer)
    const last = Math.max(...waiter.pending.values())
    waiter.timer = this.#s.clock.setTimeout(
      () => {
        this.#s.hooks.onAckTimeout([...waiter.pending.keys()])
        this.#finish(waiter)
      },
      Math.max(0, last - this.#s.clock.now()),
    )
  }

  #finish(waiter: AckWaiter): void {
    if (!this.#waiters.delete(waiter) && !this.#closed) return
    this.#s.clock.clearTimeout(waiter.timer)
    waiter.resolve()
  }

  #learn(
    seq: number,
    deps: readonly string[],
    values: readonly number[],
  ): void {
    const last = this.#lastApplied
    if (last === undefined) return
    // A snapshot older than what the bus already applied may predate a bump
    // of a key the mirror has since forgotten, so it only raises known keys.
    const fresh = seq >= last
    for (let i = 0; i < deps.length; i += 1) {
      const dep = deps[i] as string
      if (fresh || this.#mirror.has(dep))
        this.#mirror.raise(dep, values[i] as number)
    }
  }

  readonly #onMessage = (channel: string, text: string): void => {
    if (channel === this.#channel) {
      const message = parseInstanceMessage(text)
      if (message?.kind === 'h') this.#onEcho(message.token, message.seq)
      else if (message?.kind === 'a') this.#onAck(message.from, message.seq)
      return
    }
    if (channel !== this.#s.keys.bus) return
    const message = parseBusMessage(text)
    if (message === undefined) return
    this.#apply(message)
    if (message.origin !== this.#s.instanceId) {
      const { client, guard, keys } = this.#s
      guard
        .run('ack', () =>
          client.publish(
            keys.instance(message.origin),
            formatAck(this.#s.instanceId, message.seq),
          ),
        )
        .catch(() => undefined)
    }
  }

  #apply(message: BusMessage): void {
    const { hooks } = this.#s
    hooks.onMessage(message)
    const last = this.#lastApplied
    if (last !== undefined) {
      if (message.seq !== last + 1) this.#gap(last + 1, message.seq)
      this.#lastApplied = Math.max(last, message.seq)
    }
    this.#generation += 1
    if (message.kind === 'b') {
      for (const dep of message.items) this.#mirror.raise(dep, message.seq)
    } else if (message.kind === 'r') {
      this.#mirror.reset(message.seq)
      if (message.origin !== this.#s.instanceId) {
        hooks.flushL1('reset')
        hooks.onReset()
      }
    } else if (message.origin !== this.#s.instanceId) {
      for (const key of message.items) hooks.dropL1Key(key)
    }
  }

  #gap(expected: number, received: number): void {
    this.#generation += 1
    this.#mirror.clear()
    this.#s.hooks.onGap(expected, received)
    this.#s.hooks.flushL1('gap')
  }

  #onEcho(token: number, seq: number): void {
    const sentAt = this.#heartbeats.get(token)
    if (sentAt === undefined) return
    for (const key of this.#heartbeats.keys()) {
      if (key <= token) this.#heartbeats.delete(key)
    }
    if (!this.#subscribed) return
    const last = this.#lastApplied
    if (last === undefined) {
      this.#lastApplied = seq
      this.#generation += 1
    } else if (last < seq) {
      this.#gap(last + 1, seq)
      this.#lastApplied = seq
    }
    this.#leaseUntil = Math.max(this.#leaseUntil, sentAt + this.#s.leaseMs)
    this.#noteTrust()
  }

  #onAck(from: string, seq: number): void {
    if ((this.#acked.get(from) ?? -1) < seq) {
      if (this.#acked.size > 10_000) this.#acked.clear()
      this.#acked.set(from, seq)
    }
    for (const waiter of this.#waiters) {
      if (seq < waiter.seq || !waiter.pending.delete(from)) continue
      if (waiter.pending.size === 0) this.#finish(waiter)
      else this.#arm(waiter)
    }
  }

  readonly #onReady = (): void => {
    if (this.#closed) return
    const { subscriber, keys } = this.#s
    subscriber.subscribe(keys.bus, this.#channel).then(
      () => {
        if (this.#closed || this.#subscribed) return
        this.#subscribed = true
        this.#mirror.clear()
        if (this.#needsFlush) {
          this.#needsFlush = false
          this.#s.hooks.flushL1('reconnect')
        }
        this.#heartbeat()
      },
      () => undefined,
    )
  }

  readonly #onDown = (): void => {
    if (this.#closed) return
    if (this.#subscribed || this.#lastApplied !== undefined)
      this.#needsFlush = true
    this.#subscribed = false
    this.#lastApplied = undefined
    this.#leaseUntil = 0
    this.#generation += 1
    this.#heartbeats.clear()
    this.#noteTrust()
  }

  readonly #onClientReady = (): void => {
    void this.#replay()
    // The subscription may have come up first, when heartbeats could not be sent yet.
    if (this.#subscribed && !this.trusted) this.#heartbeat()
  }

  #schedule(): void {
    if (this.#closed) return
    this.#timer = this.#s.clock.setTimeout(
      () => {
        this.#schedule()
        this.#noteTrust()
        void this.#replay()
        if (this.#subscribed) this.#heartbeat()
      },
      Math.max(1, Math.floor(this.#s.leaseMs / 4)),
    )
  }

  #heartbeat(): void {
    const { client, keys, guard, clock, instanceId, leaseMs } = this.#s
    const token = this.#nextToken
    this.#nextToken += 1
    this.#heartbeats.set(token, clock.now())
    if (this.#heartbeats.size > 16) {
      const oldest = this.#heartbeats.keys().next().value
      if (oldest !== undefined) this.#heartbeats.delete(oldest)
    }
    guard
      .run('heartbeat', () =>
        client.eval(
          HEARTBEAT_SCRIPT,
          2,
          keys.versions,
          keys.members,
          instanceId,
          String(leaseMs),
          this.#channel,
          String(token),
        ),
      )
      .catch(() => undefined)
  }

  async #replay(): Promise<void> {
    if (this.#replaying || !this.blocked || this.#closed) return
    this.#replaying = true
    const reset = this.#pendingReset
    const deps = [...this.#pending]
    try {
      await this.#publish(reset ? 'r' : 'b', reset ? [] : deps)
      if (reset) this.#pendingReset = false
      for (const dep of deps) this.#pending.delete(dep)
      this.#s.hooks.onReplayed(deps, reset)
    } catch {
      // Still unreachable: the next heartbeat tick tries again.
    } finally {
      this.#replaying = false
    }
  }

  #noteTrust(): void {
    const trusted = this.trusted
    if (trusted === this.#wasTrusted) return
    this.#wasTrusted = trusted
    this.#generation += 1
    this.#s.hooks.onBusState(trusted)
  }
}

function toNumber(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}
