import {
  createTempDatabase,
  requireRedis,
  uniqueKeyPrefix,
} from '@duckkit/test-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { checkConfigs, type WriteLayout } from '../src/check-configs.js'
import {
  readStoredConfigs,
  type StoredConfig,
  storedFields,
} from '../src/database-snapshot.js'
import { LatencyRecorder } from '../src/latency.js'
import { currentProfile } from '../src/profile.js'
import { deleteNamespace } from '../src/redis-namespace.js'
import { ServiceApi } from '../src/service-api.js'
import { ServiceProcess } from '../src/service-process.js'
import { TaggedWriter } from '../src/tagged-writer.js'
import { WriteLog } from '../src/write-log.js'
import { recordScenario } from './scenario.js'

const redis = await requireRedis()
const profile = currentProfile()

/** Sorted by key, so the API's and the file's lists compare element by element. */
function byKey(configs: readonly StoredConfig[]): StoredConfig[] {
  return configs
    .map(storedFields)
    .sort((a, b) =>
      a.usageType === b.usageType
        ? a.priority - b.priority
        : a.usageType < b.usageType
          ? -1
          : 1,
    )
}

describe.skipIf(redis.skip)('1. crash durability', () => {
  const db = createTempDatabase('crash.duckdb')
  const namespace = uniqueKeyPrefix('reliability-crash').slice(0, -1)
  const token = `crash-token-${namespace.length}-0123456789`
  let service: ServiceProcess | undefined
  afterAll(async () => {
    await service?.kill('SIGKILL')
    db.remove()
    await deleteNamespace(redis.url, namespace)
  })

  it('keeps every acknowledged write, and nothing half-written, across SIGKILL at random moments', async () => {
    const scenario = recordScenario(1, 'crash-durability', 'Crash durability')
    const { rounds, writers: writerCount, killAfterMs } = profile.crash
    scenario.check(
      `${rounds} rounds: ${writerCount * 2} writers (half upserts over 8 priorities, half whole-chain replacements of 1 to 5 entries) write as fast as they can; SIGKILL at a random moment ${killAfterMs[0]} to ${killAfterMs[1]} ms after the writes began`,
    )
    scenario.check(
      'after each kill, the database file (read directly from a copy) holds every write acknowledged with a 2xx (or a later one that was in flight), no torn row and no partial chain',
    )
    scenario.check(
      'after each restart, /health/ready and /health/database are ok and the API (through L1 and the shared Redis L2) answers exactly what the file holds',
    )
    const env = {
      REDIS_URL: redis.url,
      DUCKKIT_CACHE_NAMESPACE: namespace,
    }
    const log = new WriteLog()
    const layout: WriteLayout = {
      upsertTypes: Array.from({ length: writerCount }, (_, w) => `crash_w${w}`),
      chainTypes: Array.from({ length: writerCount }, (_, w) => `crash_c${w}`),
    }
    const nextSeq = new Map<string, number>()
    const restart = new LatencyRecorder()
    const killDelays: number[] = []
    const unexpected: string[] = []
    let acknowledged = 0
    let inFlight = 0
    let inFlightApplied = 0
    let peakRate = 0

    const startService = async (): Promise<ServiceProcess> => {
      const started = performance.now()
      const next = await ServiceProcess.start({
        databasePath: db.path,
        token,
        env,
      })
      restart.add(performance.now() - started)
      return next
    }

    const verifyRestart = async (
      running: ServiceProcess,
      truth: readonly StoredConfig[],
    ): Promise<void> => {
      const api = new ServiceApi(running.url, token)
      try {
        expect(await api.health('ready')).toMatchObject({ status: 'ok' })
        expect(await api.health('database')).toMatchObject({ status: 'ok' })
        const answered = await api.all()
        expect(byKey(answered), 'the API answers what the file holds').toEqual(
          byKey(truth),
        )
      } finally {
        api.close()
      }
    }

    service = await startService()
    for (let round = 0; round < rounds; round += 1) {
      const running = service
      const api = new ServiceApi(running.url, token, {
        maxSockets: writerCount * 2,
      })
      const writers = [
        ...layout.upsertTypes.map((usageType) => ({
          usageType,
          kind: 'upsert' as const,
        })),
        ...layout.chainTypes.map((usageType) => ({
          usageType,
          kind: 'chain' as const,
        })),
      ].map(
        ({ usageType, kind }) =>
          new TaggedWriter({
            usageType,
            kind,
            api,
            log,
            firstSeq: nextSeq.get(usageType) ?? 1,
          }),
      )
      const delay =
        killAfterMs[0] + Math.random() * (killAfterMs[1] - killAfterMs[0])
      killDelays.push(Math.round(delay))
      const began = performance.now()
      let roundAcks = 0
      const killer = new Promise<void>((resolve) => {
        setTimeout(() => {
          void running.kill('SIGKILL').then(() => resolve())
        }, delay)
      })
      await Promise.all(
        writers.map(async (writer) => {
          for (;;) {
            const attempt = await writer.writeNext((response) =>
              response.status === 200 ? 'acknowledged' : 'indeterminate',
            )
            if (attempt.outcome === 'acknowledged') {
              roundAcks += 1
              continue
            }
            inFlight += 1
            if (attempt.response !== undefined) {
              unexpected.push(
                `${attempt.key} #${attempt.seq}: ${attempt.response.status} ${attempt.response.body.slice(0, 200)}`,
              )
            }
            return
          }
        }),
      )
      await killer
      api.close()
      acknowledged += roundAcks
      peakRate = Math.max(
        peakRate,
        roundAcks / ((performance.now() - began) / 1000),
      )
      for (const writer of writers)
        nextSeq.set(writer.usageType, writer.nextSeq)
      expect(running.exit?.signal).toBe('SIGKILL')

      // The file as the crash left it, read from a copy.
      const truth = await readStoredConfigs(db.path)
      const { violations, observed } = checkConfigs(truth, log, layout)
      expect(violations, 'the file after SIGKILL').toEqual([])
      for (const [key, seq] of observed) {
        if (seq !== undefined && seq !== log.acknowledged(key))
          inFlightApplied += 1
        log.settle(key, seq)
      }

      // The restarted service answers what the file holds; the next round writes to it.
      service = await startService()
      await verifyRestart(service, truth)
    }

    // A clean stop after the last restart: the file matches the last answers.
    const running = service
    if (running === undefined) throw new Error('no service')
    const api = new ServiceApi(running.url, token)
    const lastAnswer = await api.all()
    api.close()
    expect(await running.stop()).toEqual({ code: 0, signal: null })
    expect(byKey(await readStoredConfigs(db.path))).toEqual(byKey(lastAnswer))
    expect(unexpected, 'answers other than 200 before the kill').toEqual([])
    expect(acknowledged).toBeGreaterThan(0)

    const restartMs = restart.summary()
    scenario.figure('rounds (SIGKILL + restart)', rounds)
    scenario.figure(
      'kill delays after writes began (ms)',
      killDelays.join(', '),
    )
    scenario.figure('writes acknowledged (2xx), all present', acknowledged)
    scenario.figure('writes in flight at the kill', inFlight)
    scenario.figure('  of which found applied after restart', inFlightApplied)
    scenario.figure(
      'best round throughput (acknowledged writes/s)',
      Math.round(peakRate),
    )
    scenario.figure('torn rows or partial chains', 0)
    scenario.figure(
      'start to ready (ms): p50 / max',
      `${restartMs.p50} / ${restartMs.max}`,
    )
  })
})
