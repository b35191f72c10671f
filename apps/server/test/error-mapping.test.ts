import { PoolAcquireTimeoutError } from '@duckkit/db-pool'
import {
  classifyError,
  FatalDatabaseError,
  TransactionConflictError,
} from '@duckkit/resilience'
import { describe, expect, it } from 'vitest'
import { mapError } from '../src/error-mapping.js'

describe('mapError', () => {
  it('answers an invalidated database with 503 and Retry-After, never 500', () => {
    const spec = mapError(
      classifyError(
        new Error(
          'FATAL Error: Failed: database has been invalidated because of a previous fatal error',
        ),
      ),
    )
    expect(spec).toMatchObject({ status: 503, code: 'E_UNAVAILABLE' })
    expect(spec.retryAfterSeconds).toBeGreaterThan(0)
    expect(mapError(new FatalDatabaseError('x')).status).toBe(503)
  })

  it('answers a disk-full commit as unavailable, not as a conflict', () => {
    const error = classifyError(
      new Error(
        'TransactionContext Error: Failed to commit: Could not write file "/d/x.wal": No space left on device',
      ),
    )
    expect(mapError(error)).toMatchObject({
      status: 503,
      code: 'E_UNAVAILABLE',
    })
    expect(
      mapError(new TransactionConflictError('Conflict on update!')).status,
    ).toBe(409)
  })

  it('answers pool exhaustion with 503 E_POOL_EXHAUSTED', () => {
    const spec = mapError(new PoolAcquireTimeoutError(100, 4, 2))
    expect(spec).toMatchObject({ status: 503, code: 'E_POOL_EXHAUSTED' })
  })
})
