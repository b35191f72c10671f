import {
  asFunction,
  asValue,
  createContainer as createAwilixContainer,
  type AwilixContainer,
} from 'awilix'
import { bench, describe } from 'vitest'
import { createContainer, fromScope } from '../src/index.js'

// Each benchmark call runs a batch, so timer overhead does not swamp
// operations that take nanoseconds. Compare the two rows of each group.
const SINGLETON_BATCH = 1000
const SCOPE_BATCH = 20

class Pool {
  readonly size = 4
}
class Repository {
  constructor(readonly pool: Pool) {}
}
class Handler {
  closed = false
  constructor(
    readonly repository: Repository,
    readonly requestId: string,
  ) {}
}

interface Cradle {
  pool: Pool
  repository: Repository
  requestId: string
  view: Handler
  handler: Handler
}

function bareAwilix(): AwilixContainer<Cradle> {
  const container = createAwilixContainer<Cradle>({ injectionMode: 'PROXY' })
  container.register({
    pool: asFunction(() => new Pool()).singleton(),
    repository: asFunction(
      ({ pool }: Cradle) => new Repository(pool),
    ).singleton(),
    view: asFunction(
      ({ repository, requestId }: Cradle) => new Handler(repository, requestId),
    ).scoped(),
    handler: asFunction(
      ({ repository, requestId }: Cradle) => new Handler(repository, requestId),
    )
      .scoped()
      .disposer((handler) => {
        handler.closed = true
      }),
  })
  return container
}

function duckkit() {
  return createContainer()
    .singleton('pool', () => new Pool())
    .singleton('repository', ({ pool }) => new Repository(pool))
    .scoped('requestId', fromScope<string>())
    .scoped(
      'view',
      ({ repository, requestId }) => new Handler(repository, requestId),
    )
    .scoped(
      'handler',
      ({ repository, requestId }) => new Handler(repository, requestId),
      {
        dispose: (handler) => {
          handler.closed = true
        },
      },
    )
}

const options = { time: 1000, warmupTime: 200 }
const awilix = bareAwilix()
const di = duckkit()
let sink: unknown

describe(`resolve a cached singleton (x${SINGLETON_BATCH})`, () => {
  bench(
    'awilix',
    () => {
      for (let i = 0; i < SINGLETON_BATCH; i++) {
        sink = awilix.resolve('repository')
      }
    },
    options,
  )
  bench(
    '@duckkit/di',
    () => {
      for (let i = 0; i < SINGLETON_BATCH; i++) {
        sink = di.resolve('repository')
      }
    },
    options,
  )
})

describe(`resolve a cached scoped service (x${SINGLETON_BATCH})`, () => {
  const awilixScope = awilix.createScope()
  awilixScope.register('requestId', asValue('r-1'))
  awilixScope.resolve('handler')
  const diScope = di.createScope({ requestId: 'r-1' })
  diScope.resolve('handler')
  bench(
    'awilix',
    () => {
      for (let i = 0; i < SINGLETON_BATCH; i++) {
        sink = awilixScope.resolve('handler')
      }
    },
    options,
  )
  bench(
    '@duckkit/di',
    () => {
      for (let i = 0; i < SINGLETON_BATCH; i++) {
        sink = diScope.resolve('handler')
      }
    },
    options,
  )
})

describe(`new scope + scope value + resolve a scoped service, no dispose hook (x${SCOPE_BATCH})`, () => {
  bench(
    'awilix',
    () => {
      for (let i = 0; i < SCOPE_BATCH; i++) {
        const scope = awilix.createScope()
        scope.register('requestId', asValue('r-1'))
        sink = scope.resolve('view')
      }
    },
    options,
  )
  bench(
    '@duckkit/di',
    () => {
      for (let i = 0; i < SCOPE_BATCH; i++) {
        const scope = di.createScope({ requestId: 'r-1' })
        sink = scope.resolve('view')
      }
    },
    options,
  )
})

describe(`whole request: new scope, resolve a disposable service, await dispose (x${SCOPE_BATCH})`, () => {
  bench(
    'awilix',
    async () => {
      for (let i = 0; i < SCOPE_BATCH; i++) {
        const scope = awilix.createScope()
        scope.register('requestId', asValue('r-1'))
        sink = scope.resolve('handler')
        await scope.dispose()
      }
    },
    options,
  )
  bench(
    '@duckkit/di',
    async () => {
      for (let i = 0; i < SCOPE_BATCH; i++) {
        const scope = di.createScope({ requestId: 'r-1' })
        sink = scope.resolve('handler')
        await scope.dispose()
      }
    },
    options,
  )
})

export { sink }
