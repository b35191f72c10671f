import { createBackoff, type Jitter } from './backoff.js'
import { classifyError } from './classify-error.js'
import { type Clock, systemClock } from './clock.js'
import { isRetryable } from './database-error.js'
import { delay } from './delay.js'
import { InterruptedError } from './errors.js'
import { InvalidOptionError } from './invalid-option-error.js'
import { type RetryBudget } from './retry-budget.js'
import { clockOption, functionOption, numberOption } from './validate.js'

/** What each attempt of {@link retry} receives. */
export interface RetryContext {
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number
  /** The caller's abort signal, if any. */
  readonly signal: AbortSignal | undefined
}

/** Payload of the `onRetry` callback. */
export interface RetryEvent {
  /** Number of the attempt that just failed (1-based); the next attempt is `attempt + 1`. */
  readonly attempt: number
  /** Milliseconds that will pass before the next attempt. */
  readonly delayMs: number
  /** The error of the failed attempt. */
  readonly error: unknown
}

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Total attempts, the first one included; `1` disables retrying. @default 3 */
  maxAttempts?: number | undefined
  /** Base delay before the first retry, in milliseconds. @default 50 */
  initialDelayMs?: number | undefined
  /** Upper bound of any delay, in milliseconds. @default 2000 */
  maxDelayMs?: number | undefined
  /** Growth factor of the delay from one retry to the next. @default 2 */
  multiplier?: number | undefined
  /** Jitter strategy: `full` (uniform in [0, delay]), `decorrelated` (AWS/Polly) or `none`. @default 'full' */
  jitter?: Jitter | undefined
  /** Decides whether an error is worth another attempt. @default classify the error, then `isRetryable` */
  shouldRetry?: ((error: unknown, attempt: number) => boolean) | undefined
  /** Aborting stops retrying: a pending delay rejects with an `InterruptedError`. @default undefined */
  signal?: AbortSignal | undefined
  /** Called before each delay with the failed attempt, the delay and the error. @default undefined */
  onRetry?: ((event: RetryEvent) => void) | undefined
  /** Called when the budget refused a retry; the last error is then thrown. @default undefined */
  onBudgetExhausted?:
    ((event: { attempt: number; error: unknown }) => void) | undefined
  /** Shared budget that caps retries to a fraction of recent calls. @default undefined (no cap) */
  budget?: RetryBudget | undefined
  /** Source of time and timers. @default systemClock */
  clock?: Clock | undefined
  /** Source of uniform random numbers in [0, 1), for jitter. @default Math.random */
  random?: (() => number) | undefined
}

/** Retry options with every default filled in. */
export interface RetrySettings {
  readonly maxAttempts: number
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  readonly multiplier: number
  readonly jitter: Jitter
  readonly shouldRetry: (error: unknown, attempt: number) => boolean
  readonly signal: AbortSignal | undefined
  readonly onRetry: ((event: RetryEvent) => void) | undefined
  readonly onBudgetExhausted:
    ((event: { attempt: number; error: unknown }) => void) | undefined
  readonly budget: RetryBudget | undefined
  readonly clock: Clock
  readonly random: () => number
}

const JITTERS: readonly Jitter[] = ['full', 'decorrelated', 'none']

/** The default retry decision: classify the error and retry when it is transient. */
export function isTransient(error: unknown): boolean {
  return isRetryable(classifyError(error))
}

/** Fills in and validates {@link RetryOptions}; throws an `InvalidOptionError` naming the field. */
export function resolveRetryOptions(options: RetryOptions = {}): RetrySettings {
  const initialDelayMs = numberOption(
    'initialDelayMs',
    options.initialDelayMs,
    50,
    { min: 0 },
  )
  const maxDelayMs = numberOption(
    'maxDelayMs',
    options.maxDelayMs,
    Math.max(2000, initialDelayMs),
    {
      min: 0,
    },
  )
  if (maxDelayMs < initialDelayMs) {
    throw new InvalidOptionError(
      'maxDelayMs',
      maxDelayMs,
      `a number >= initialDelayMs (${initialDelayMs})`,
    )
  }
  const jitter = options.jitter ?? 'full'
  if (!JITTERS.includes(jitter)) {
    throw new InvalidOptionError(
      'jitter',
      jitter,
      `one of ${JITTERS.join(', ')}`,
    )
  }
  return {
    maxAttempts: numberOption('maxAttempts', options.maxAttempts, 3, {
      min: 1,
      integer: true,
    }),
    initialDelayMs,
    maxDelayMs,
    multiplier: numberOption('multiplier', options.multiplier, 2, { min: 1 }),
    jitter,
    shouldRetry:
      functionOption('shouldRetry', options.shouldRetry) ?? isTransient,
    signal: options.signal,
    onRetry: functionOption('onRetry', options.onRetry),
    onBudgetExhausted: functionOption(
      'onBudgetExhausted',
      options.onBudgetExhausted,
    ),
    budget: options.budget,
    clock: clockOption(options.clock, systemClock),
    random: functionOption('random', options.random) ?? Math.random,
  }
}

/**
 * Runs `fn` and retries it with exponential backoff and jitter while it fails
 * with a transient error, up to `maxAttempts`. The last error is rethrown
 * unchanged. An aborted `signal` stops at once with an `InterruptedError`.
 *
 * @example
 * ```ts
 * const rows = await retry(() => connection.runAndReadAll(sql), {
 *   maxAttempts: 5,
 *   jitter: 'decorrelated',
 *   budget,
 * })
 * ```
 */
export async function retry<T>(
  fn: (context: RetryContext) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  return runWithRetry(fn, resolveRetryOptions(options))
}

/**
 * The retry loop over resolved settings (used by {@link retry} and the composed
 * policy). The first attempt runs on a plain promise chain; the loop only
 * starts after a failure, which keeps the success path cheap.
 */
export function runWithRetry<T>(
  fn: (context: RetryContext) => Promise<T>,
  settings: RetrySettings,
): Promise<T> {
  const { signal } = settings
  settings.budget?.deposit()
  if (signal?.aborted === true) {
    return Promise.reject(
      new InterruptedError('Operation was aborted', { cause: signal.reason }),
    )
  }
  let first: Promise<T>
  try {
    first = Promise.resolve(fn({ attempt: 1, signal }))
  } catch (error) {
    return retryAfterFailure(fn, settings, error)
  }
  return first.catch((error: unknown) => retryAfterFailure(fn, settings, error))
}

async function retryAfterFailure<T>(
  fn: (context: RetryContext) => Promise<T>,
  settings: RetrySettings,
  firstError: unknown,
): Promise<T> {
  const { signal, budget } = settings
  let backoff: ((retry: number) => number) | undefined
  let error = firstError
  for (let attempt = 1; ; attempt += 1) {
    if (
      attempt >= settings.maxAttempts ||
      isAborted(signal) ||
      !settings.shouldRetry(error, attempt)
    ) {
      throw error
    }
    if (budget !== undefined && !budget.tryWithdraw()) {
      settings.onBudgetExhausted?.({ attempt, error })
      throw error
    }
    backoff ??= createBackoff(settings)
    const delayMs = backoff(attempt)
    settings.onRetry?.({ attempt, delayMs, error })
    await delay(delayMs, settings.clock, signal)
    try {
      return await fn({ attempt: attempt + 1, signal })
    } catch (caught) {
      error = caught
    }
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}
