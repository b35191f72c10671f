/** Kinds of bus messages: bump tables/tags, reset the namespace, drop one key from L1. */
type BusKind = 'b' | 'r' | 'd'

/** A parsed invalidation message. */
export interface BusMessage {
  /** What happened. */
  readonly kind: BusKind
  /** Sequence number: one more than the previous message of the namespace. */
  readonly seq: number
  /** Id of the instance that sent it. */
  readonly origin: string
  /** Version keys bumped (`b`) or the key dropped (`d`). */
  readonly items: readonly string[]
}

/** A parsed message on an instance's own channel. */
export type InstanceMessage =
  | { readonly kind: 'h'; readonly token: number; readonly seq: number }
  | { readonly kind: 'a'; readonly from: string; readonly seq: number }

/** Parses a bus message; undefined when it is malformed. */
export function parseBusMessage(text: string): BusMessage | undefined {
  const a = text.indexOf(' ')
  const b = text.indexOf(' ', a + 1)
  const c = text.indexOf(' ', b + 1)
  if (a < 0 || b < 0 || c < 0) return undefined
  const kind = text.slice(0, a)
  const seq = Number(text.slice(a + 1, b))
  if (
    (kind !== 'b' && kind !== 'r' && kind !== 'd') ||
    !Number.isSafeInteger(seq)
  ) {
    return undefined
  }
  let items: unknown
  try {
    items = JSON.parse(text.slice(c + 1))
  } catch {
    return undefined
  }
  if (
    !Array.isArray(items) ||
    !items.every((item) => typeof item === 'string')
  ) {
    return undefined
  }
  return { kind, seq, origin: text.slice(b + 1, c), items: items }
}

/** Parses a message of an instance channel; undefined when it is malformed. */
export function parseInstanceMessage(
  text: string,
): InstanceMessage | undefined {
  const [kind, first, second] = text.split(' ')
  const seq = Number(second)
  if (first === undefined || !Number.isSafeInteger(seq)) return undefined
  if (kind === 'h') {
    const token = Number(first)
    return Number.isSafeInteger(token) ? { kind, token, seq } : undefined
  }
  if (kind === 'a') return { kind, from: first, seq }
  return undefined
}

/** Formats an acknowledgement of message `seq` by instance `from`. */
export function formatAck(from: string, seq: number): string {
  return `a ${from} ${seq}`
}

const INIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('HEXISTS', KEYS[1], 's') == 0 then
  local init = string.format('%.0f', now * 1000)
  redis.call('HSET', KEYS[1], 's', init, '*', init)
end
`

/**
 * Bumps versions atomically with the bus message that announces them, so
 * messages leave Redis in sequence order, and returns the sequence number
 * followed by (id, milliseconds until its lease ends) for every instance whose
 * lease may still run; instances whose lease has ended are forgotten.
 * KEYS: versions, members. ARGV: bus channel, origin id, kind, JSON items.
 */
export const BUMP_SCRIPT = `${INIT}
local s = redis.call('HINCRBY', KEYS[1], 's', 1)
local seq = string.format('%.0f', s)
local kind = ARGV[3]
if kind == 'b' then
  local items = cjson.decode(ARGV[4])
  for i = 1, #items do redis.call('HSET', KEYS[1], items[i], seq) end
elseif kind == 'r' then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 's', seq, '*', seq)
end
redis.call('PUBLISH', ARGV[1], kind .. ' ' .. seq .. ' ' .. ARGV[2] .. ' ' .. ARGV[4])
local out = { seq }
local members = redis.call('HGETALL', KEYS[2])
for i = 1, #members, 2 do
  local remaining = tonumber(members[i + 1]) - now
  if remaining > 0 then
    out[#out + 1] = members[i]
    out[#out + 1] = string.format('%.0f', remaining)
  else
    redis.call('HDEL', KEYS[2], members[i])
  end
end
return out
`

/**
 * Records when the lease this heartbeat may grant ends at the latest (now +
 * leaseMs, Redis time) and publishes the echo, with the current sequence
 * number, on the instance's own channel.
 * KEYS: versions, members. ARGV: id, leaseMs, instance channel, token.
 */
export const HEARTBEAT_SCRIPT = `${INIT}
redis.call('HSET', KEYS[2], ARGV[1], string.format('%.0f', now + tonumber(ARGV[2])))
local seq = redis.call('HGET', KEYS[1], 's')
redis.call('PUBLISH', ARGV[3], 'h ' .. ARGV[4] .. ' ' .. seq)
return seq
`
