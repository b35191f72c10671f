import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { tempDatabasePath } from '@duckkit/test-utils'
import { expect, test } from 'vitest'
import { reopen } from './helpers.js'

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

test(
  'SIGKILL in the middle of a transaction leaves none of its writes; earlier commits survive',
  { timeout: 30_000 },
  async () => {
    const path = tempDatabasePath('crash.duckdb')
    const child = spawn(
      process.execPath,
      [
        '--import',
        fixture('register-ts.mjs'),
        fixture('crash-child.mjs'),
        path,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const exited = once(child, 'exit')
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (stdout.includes('in-transaction\n')) resolve()
      })
      void exited.then(() =>
        reject(new Error(`child exited early: ${stdout} ${stderr}`)),
      )
    })
    expect(stdout).toBe('committed\nin-transaction\n')
    child.kill('SIGKILL')
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null]
    expect(signal).toBe('SIGKILL')

    const instance = await reopen(path)
    const connection = await instance.connect()
    const reader = await connection.runAndReadAll(
      'SELECT note, count(*)::INT AS n, min(id) AS lo, max(id) AS hi FROM items GROUP BY note',
    )
    expect(reader.getRowObjectsJS()).toEqual([
      { note: 'committed', n: 100, lo: 0, hi: 99 },
    ])
    connection.closeSync()
  },
)
