import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js')

/** A running `node dist/main.js`. */
export interface ServiceProcess {
  readonly child: ChildProcess
  /** Base URL, such as `http://127.0.0.1:41234`. */
  readonly url: string
  /** Every JSON log line printed so far. */
  readonly logs: Record<string, unknown>[]
  /** Raw standard output so far. */
  output(): string
  /** Resolves the exit code once the process ended. */
  readonly exited: Promise<number | null>
}

/** Starts the built service with the given environment (PORT=0) and waits until it listens. */
export async function startProcess(
  env: Record<string, string>,
  cwd?: string,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const logs: Record<string, unknown>[] = []
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  const url = await new Promise<string>((resolve, reject) => {
    let pending = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>
          logs.push(entry)
          const match = /listening at (http:\/\/[\d.]+:\d+)/.exec(
            String(entry.msg),
          )
          if (match?.[1] !== undefined) resolve(match[1])
        } catch {
          // not JSON: kept in the raw output
        }
      }
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    void exited.then((code) =>
      reject(
        new Error(
          `the service exited with ${code} before listening:\n${stdout}\n${stderr}`,
        ),
      ),
    )
  })
  return { child, url, logs, output: () => stdout + stderr, exited }
}

/** Runs the service until it exits and returns its code and output (for start-up failures). */
export async function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) =>
    child.once('exit', resolve),
  )
  return { code, output }
}
