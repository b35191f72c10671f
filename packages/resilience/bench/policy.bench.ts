import CircuitBreaker from 'opossum'
import { afterAll, bench, describe } from 'vitest'
import {
  createChaosInjector,
  createCircuitBreaker,
  createPolicy,
  withTimeout,
} from '../src/index.js'

/** Calls per bench iteration, so the harness's own timing cost is spread thin. */
const BATCH = 100

const work = (): Promise<number> => Promise.resolve(1)

const opossumDefaults = new CircuitBreaker(work, { name: 'opossum-defaults' })
// Opossum set up the way createCircuitBreaker sets it up (no per-call timer, no percentiles).
const opossumLean = new CircuitBreaker(work, {
  name: 'opossum-lean',
  timeout: false,
  rollingPercentilesEnabled: false,
  enableSnapshots: false,
})
const breaker = createCircuitBreaker({ name: 'bench-breaker' })
const fullPolicy = createPolicy({
  breaker: { name: 'bench-full' },
  timeoutMs: 5000,
})
const noTimeoutPolicy = createPolicy({ breaker: { name: 'bench-no-timeout' } })
const chaosPolicy = createPolicy({
  breaker: { name: 'bench-chaos' },
  timeoutMs: 5000,
  chaos: createChaosInjector({ rate: 1 }), // disabled: must cost next to nothing
})
const timeoutOptions = { timeoutMs: 5000 }

afterAll(() => {
  opossumDefaults.shutdown()
  opossumLean.shutdown()
  breaker.shutdown()
  fullPolicy.shutdown()
  noTimeoutPolicy.shutdown()
  chaosPolicy.shutdown()
})

const options = { time: 1500, warmupTime: 300 }

describe(`one successful call (x${BATCH} per iteration)`, () => {
  bench(
    'direct call',
    async () => {
      for (let call = 0; call < BATCH; call += 1) await work()
    },
    options,
  )
  bench(
    'bare opossum fire (opossum defaults)',
    async () => {
      for (let call = 0; call < BATCH; call += 1) await opossumDefaults.fire()
    },
    options,
  )
  bench(
    'bare opossum fire (timeout off, no percentiles)',
    async () => {
      for (let call = 0; call < BATCH; call += 1) await opossumLean.fire()
    },
    options,
  )
  bench(
    'createCircuitBreaker().execute',
    async () => {
      for (let call = 0; call < BATCH; call += 1) await breaker.execute(work)
    },
    options,
  )
  bench(
    'policy: retry + breaker',
    async () => {
      for (let call = 0; call < BATCH; call += 1)
        await noTimeoutPolicy.execute(work)
    },
    options,
  )
  bench(
    'policy: retry + breaker + timeout',
    async () => {
      for (let call = 0; call < BATCH; call += 1) await fullPolicy.execute(work)
    },
    options,
  )
  bench(
    'policy: retry + breaker + timeout + disabled chaos',
    async () => {
      for (let call = 0; call < BATCH; call += 1)
        await chaosPolicy.execute(work)
    },
    options,
  )
  bench(
    'withTimeout alone (a timer and an AbortController per call)',
    async () => {
      for (let call = 0; call < BATCH; call += 1)
        await withTimeout(work, timeoutOptions)
    },
    options,
  )
})
