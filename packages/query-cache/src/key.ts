import { InvalidCacheKeyError } from './errors.js'

/** Longest key accepted, in UTF-16 code units. */
const MAX_KEY_LENGTH = 1024

/** The error a key deserves, or undefined when it is fine. */
export function keyError(key: unknown): InvalidCacheKeyError | undefined {
  if (typeof key !== 'string') {
    return new InvalidCacheKeyError(
      key,
      `expected a string, got ${key === null ? 'null' : typeof key}`,
    )
  }
  if (key.length === 0) return new InvalidCacheKeyError(key, 'the key is empty')
  if (key.length > MAX_KEY_LENGTH) {
    return new InvalidCacheKeyError(
      key,
      `the key is ${key.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`,
    )
  }
  return undefined
}
