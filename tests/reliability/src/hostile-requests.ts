import fc from 'fast-check'
import { badUrls, framing, hugeHeaders } from './hostile-protocol.js'
import { otherMethods, reads, unauthorized } from './hostile-routes.js'
import { invalidWrites, oversized } from './hostile-writes.js'
import { assembleRequest, type RequestParts } from './request-parts.js'

/** A generated request that the service must refuse with a 4xx problem. */
export interface HostileRequest {
  /** Which family of defects it belongs to. */
  readonly category: string
  /** Whether it is a HEAD request (the answer has no body). */
  readonly head: boolean
  /** The request, byte for byte. */
  readonly bytes: Buffer
}

/** What the generators need to know about the service. */
export interface HostileContext {
  /** The valid admin token (used only with a defect elsewhere in the request). */
  readonly token: string
  /** The `Host` header to send. */
  readonly host: string
}

/**
 * Every family of hostile requests, weighted. Each generated request has at
 * least one defect the service must refuse, so the only right answers are
 * 4xx: a well-formed write never carries the right token, and the right token
 * only comes with a defect elsewhere.
 */
export function hostileRequests(
  context: HostileContext,
): fc.Arbitrary<HostileRequest> {
  const family = (category: string, parts: fc.Arbitrary<RequestParts>) =>
    parts.map((p): HostileRequest => ({
      category,
      head: p.method === 'HEAD',
      bytes: assembleRequest(p, context.host),
    }))
  return fc.oneof(
    { weight: 20, arbitrary: family('bad read', reads) },
    { weight: 15, arbitrary: family('unauthorized write', unauthorized) },
    {
      weight: 35,
      arbitrary: family('invalid write', invalidWrites(context.token)),
    },
    {
      weight: 1,
      arbitrary: family('oversized body', oversized(context.token)),
    },
    { weight: 5, arbitrary: family('unknown method', otherMethods) },
    { weight: 10, arbitrary: family('bad url', badUrls) },
    { weight: 10, arbitrary: family('malformed http', framing) },
    { weight: 4, arbitrary: family('huge headers', hugeHeaders) },
  )
}
