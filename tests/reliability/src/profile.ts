/** Name of a run profile: `ci` (short, inside `pnpm test`) or `full` (longer, writes the report). */
export type ProfileName = 'ci' | 'full'

/** Durations and counts of every scenario for one profile. */
export interface Profile {
  /** The profile's name. */
  readonly name: ProfileName
  /** Crash durability: how many kill-and-restart rounds, concurrent writers, and the window of the kill after writes began. */
  readonly crash: {
    readonly rounds: number
    readonly writers: number
    readonly killAfterMs: readonly [number, number]
  }
  /** Redis outage: clients and the length of the phases before, during and after the outage. */
  readonly outage: {
    readonly clients: number
    readonly beforeMs: number
    readonly outageMs: number
    readonly afterMs: number
  }
  /** Database chaos: clients, how long chaos runs, and how long the breaker gets to close afterwards. */
  readonly chaos: {
    readonly clients: number
    readonly chaosMs: number
    readonly recoveryMs: number
  }
  /** Sustained load: clients and duration. */
  readonly load: {
    readonly clients: number
    readonly durationMs: number
  }
  /** Fuzzing: generated requests and how many are in flight at once. */
  readonly fuzz: {
    readonly requests: number
    readonly concurrency: number
  }
  /** Pool exhaustion: rounds of concurrent slow requests. */
  readonly exhaustion: {
    readonly rounds: number
  }
}

const CI: Profile = {
  name: 'ci',
  crash: { rounds: 2, writers: 4, killAfterMs: [300, 1500] },
  outage: { clients: 8, beforeMs: 3000, outageMs: 3000, afterMs: 8000 },
  chaos: { clients: 8, chaosMs: 6000, recoveryMs: 8000 },
  load: { clients: 50, durationMs: 10_000 },
  fuzz: { requests: 5000, concurrency: 8 },
  exhaustion: { rounds: 2 },
}

const FULL: Profile = {
  name: 'full',
  crash: { rounds: 10, writers: 8, killAfterMs: [200, 4000] },
  outage: { clients: 16, beforeMs: 10_000, outageMs: 15_000, afterMs: 15_000 },
  chaos: { clients: 16, chaosMs: 30_000, recoveryMs: 15_000 },
  load: { clients: 50, durationMs: 120_000 },
  fuzz: { requests: 25_000, concurrency: 16 },
  exhaustion: { rounds: 6 },
}

/** Reads `DUCKKIT_RELIABILITY_PROFILE` (`ci` when unset); throws on any other value. */
export function currentProfile(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Profile {
  const raw = (env.DUCKKIT_RELIABILITY_PROFILE ?? '').trim().toLowerCase()
  if (raw === '' || raw === 'ci') return CI
  if (raw === 'full') return FULL
  throw new Error(
    `DUCKKIT_RELIABILITY_PROFILE=${JSON.stringify(raw)} is not a profile: use ci (default) or full`,
  )
}
