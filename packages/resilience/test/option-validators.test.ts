import { describe, expect, it } from 'vitest'
import {
  clockOption,
  isInvalidOptionError,
  loggerOption,
  systemClock,
} from '../src/index.js'

describe('clockOption and loggerOption', () => {
  it('return the given value, or the fallback when none was given', () => {
    const clock = {
      now: () => 1,
      setTimeout: () => 0,
      clearTimeout: () => undefined,
    }
    expect(clockOption(clock)).toBe(clock)
    expect(clockOption(undefined)).toBe(systemClock)
    expect(clockOption(undefined, clock)).toBe(clock)
    const logger = { debug() {}, info() {}, warn() {}, error() {} }
    expect(loggerOption(logger)).toBe(logger)
    expect(loggerOption(undefined)).toBeUndefined()
  })

  it.each([
    ['clock', () => clockOption({ now: () => 1 } as never)],
    ['clock', () => clockOption('system' as never)],
    ['logger', () => loggerOption(null)],
    ['logger', () => loggerOption({ warn() {}, error() {} })],
    ['logger', () => loggerOption(console.log)],
  ])('refuse a bad %s with an InvalidOptionError naming it', (field, call) => {
    let caught: unknown
    try {
      call()
    } catch (error) {
      caught = error
    }
    expect(isInvalidOptionError(caught)).toBe(true)
    expect((caught as { field: string }).field).toBe(field)
  })
})
