import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'

/** A temporary folder holding one database file path. */
export interface TempDatabase {
  /** Path of the database file (not created; DuckDB creates it on open). */
  readonly path: string
  /** Folder that holds the file and its WAL. */
  readonly dir: string
  /** Removes the folder and everything in it. Safe to call twice. */
  readonly remove: () => void
}

/** Makes a fresh temporary folder and returns a database file path inside it. */
export function createTempDatabase(name = 'test.duckdb'): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'duckkit-'))
  return {
    path: join(dir, name),
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/**
 * Returns a temporary database file path that is removed when the current
 * test finishes. Call it inside a test.
 */
export function tempDatabasePath(name?: string): string {
  const db = createTempDatabase(name)
  onTestFinished(() => db.remove())
  return db.path
}
