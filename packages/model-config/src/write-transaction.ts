import { type Transaction } from '@duckkit/db-tx'
import { isConstraintViolationError } from '@duckkit/resilience'
import { type ServiceSettings } from './service-options.js'

/**
 * Runs `fn` in a transaction with the manager's conflict retry, and retries
 * one more race itself. Every write of the repository resolves key clashes
 * on its own (ON CONFLICT, MERGE, a permutation guard), so a duplicate-key
 * error can only mean that a concurrent transaction committed the same key
 * after this one's snapshot was taken; DuckDB reports that as a constraint
 * error rather than a conflict. It is retried outside an enclosing
 * transaction only (inside one, the snapshot cannot change).
 */
export async function runWriteTransaction<T>(
  settings: ServiceSettings,
  label: string,
  fn: (tx: Transaction) => Promise<T>,
  onDuplicateKey: (error: unknown, attempt: number) => void,
): Promise<T> {
  const { transactions, retry } = settings
  const nested = transactions.current() !== undefined
  const maxAttempts = retry?.maxAttempts ?? 8
  const options = retry === undefined ? { label } : { label, retry }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await transactions.transaction(fn, options)
    } catch (error) {
      if (nested || attempt >= maxAttempts || !isDuplicateKey(error))
        throw error
      onDuplicateKey(error, attempt)
    }
  }
}

function isDuplicateKey(error: unknown): boolean {
  return (
    isConstraintViolationError(error) &&
    (error.kind === 'primary_key' || error.kind === 'unique')
  )
}
