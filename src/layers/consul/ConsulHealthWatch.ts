/**
 * One blocking query on the health checks of every function, however many
 * are watched: `/v1/health/state/any`, filtered to the checks of services
 * tagged `openfaas` (every function's, whatever its namespace) and to node
 * checks. Each answer is reduced to a fingerprint per service name (its
 * checks' node, service ID, status and tags, and the node checks of the nodes
 * it runs on), and a watcher is told when its service's fingerprint changed,
 * so it re-reads that one service. The checks carry no address: an instance
 * registered again under the same ID at another address or port, its checks
 * unchanged, moves no fingerprint, so each watcher also re-reads its service
 * every `refresh` (5 minutes, as long as a blocking query of its own would
 * have waited). The query runs while anything is watched and stops with the
 * last watcher; when it fails, every watcher fails with it (their callers
 * retry, and a retry starts it again).
 */
import { Deferred, Duration, Effect, Exit, Fiber, Option, Schema, type Scope, Semaphore, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import type { UpstreamError } from "../../domain/errors.ts"
import { nullable } from "../../schema/fields.ts"
import { decodeAnswer, unexpected } from "../http/answers.ts"
import type { ApiAnswer, ApiClient } from "../http/ApiClient.ts"
import { blockingParams, blockingTimeout, blockingWatch, type IndexedAnswer } from "../http/blockingWatch.ts"

const HealthCheck = Schema.Struct({
  Node: Schema.String,
  CheckID: Schema.String,
  ServiceID: nullable(Schema.String),
  ServiceName: nullable(Schema.String),
  ServiceTags: nullable(Schema.Array(Schema.String)),
  Status: Schema.String
})
type HealthCheck = typeof HealthCheck.Type

/** The checks `/v1/health/state/:state` answers: the shared watch's, and the ready counts' (`DiscoveryConsul`). */
export const decodeChecks = decodeAnswer("consul", Schema.Array(HealthCheck))

/** Every function's registration carries the tag `openfaas` (`toNomadJob`); node checks have no service. */
const filter = `ServiceTags contains "openfaas" or ServiceID == ""`

export interface Fingerprints {
  /** By service name: what, if it changes, may change the service's passing instances. */
  readonly services: ReadonlyMap<string, string>
  /** Every node check: a service with no check of its own is re-read when this changes. */
  readonly nodes: string
  /** The whole answer, so an unchanged answer is not looked at twice. */
  readonly all: string
}

/** Reduces the checks to what decides which instances `/v1/health/service/<name>?passing` lists. */
export const fingerprints = (checks: ReadonlyArray<HealthCheck>): Fingerprints => {
  const byNode = new Map<string, Array<string>>()
  const byService = new Map<string, { readonly checks: Array<string>; readonly nodes: Set<string> }>()
  for (const check of checks) {
    if (!check.ServiceID) {
      const node = byNode.get(check.Node) ?? []
      node.push(`${check.CheckID}=${check.Status}`)
      byNode.set(check.Node, node)
      continue
    }
    if (!check.ServiceName) continue
    const service = byService.get(check.ServiceName) ?? { checks: [], nodes: new Set<string>() }
    service.checks.push(`${check.Node}/${check.ServiceID}/${check.CheckID}=${check.Status}[${check.ServiceTags ?? []}]`)
    service.nodes.add(check.Node)
    byService.set(check.ServiceName, service)
  }
  const nodes = new Map([...byNode].map(([node, found]) => [node, `${node}:${found.sort().join(",")}`]))
  const services = new Map<string, string>()
  for (const [name, service] of byService) {
    const onNodes = [...service.nodes].sort().map((node) => nodes.get(node) ?? `${node}:`)
    services.set(name, `${service.checks.sort().join(",")};${onNodes.join(";")}`)
  }
  const allNodes = [...nodes.values()].sort().join(";")
  const all = `${allNodes}|${[...services].map(([name, print]) => `${name}>${print}`).sort().join("|")}`
  return { services, nodes: allNodes, all }
}

/** One watcher of one service. */
export interface HealthSubscription {
  /**
   * Returns once the service's health may have changed since the last time it returned (at once if it changed
   * since the subscription began), or once `refresh` has passed without a change; fails when the shared watch
   * fails.
   */
  readonly changed: Effect.Effect<void, UpstreamError>
}

export interface ConsulHealthWatch {
  /**
   * Watches `service` for the life of the scope; returns once the shared query has answered, so anything read
   * afterwards is compared against an answer taken before it.
   */
  readonly subscribe: (service: string) => Effect.Effect<HealthSubscription, UpstreamError, Scope.Scope>
}

interface Watcher {
  readonly service: string
  signal: Deferred.Deferred<void, UpstreamError>
}

interface Run {
  readonly answered: Deferred.Deferred<void, UpstreamError>
  last: Fingerprints | undefined
  fiber: Fiber.Fiber<void> | undefined
}

export interface HealthWatchTiming {
  /** The longest a watcher goes without re-reading its service. */
  readonly refresh: Duration.Duration
  /**
   * The least time between two shared queries. The query wakes on any check's change in the datacenter, ours or
   * not, and answers every function's checks: this bounds how often a busy Consul makes it do so.
   */
  readonly pause: Duration.Duration
}

const defaultTiming: HealthWatchTiming = { refresh: Duration.minutes(5), pause: Duration.millis(100) }

/** The shared watch through `client`, its query forked in the current scope; blocking queries wait `slackMillis` longer than the server holds them. */
export const make = (
  client: ApiClient,
  slackMillis: number,
  timing: HealthWatchTiming = defaultTiming
): Effect.Effect<ConsulHealthWatch, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const lock = yield* Semaphore.make(1)
    /** By service; a service's set goes when its last watcher does, so the map is empty when nothing is watched. */
    const watchers = new Map<string, Set<Watcher>>()
    let running: Run | undefined

    const indexOf = (answer: ApiAnswer) => Number(answer.headers["x-consul-index"] ?? 0) || 0
    const what = "health checks of the functions"
    const query = (index: number): Effect.Effect<IndexedAnswer<Fingerprints>, UpstreamError> =>
      client.send(
        HttpClientRequest.get(
          client.url(`/v1/health/state/any?${new URLSearchParams({ filter, ...blockingParams(index) })}`)
        ),
        { retry: "read", timeout: blockingTimeout(index, slackMillis) }
      ).pipe(
        Effect.flatMap((answer) =>
          answer.status === 200
            ? Effect.map(decodeChecks(answer, what), (checks) => ({
              index: indexOf(answer),
              value: fingerprints(checks)
            }))
            : Effect.fail(unexpected("consul", answer, what))
        )
      )

    const signal = (watcher: Watcher) => Deferred.doneUnsafe(watcher.signal, Exit.void)

    const apply = (run: Run, next: Fingerprints) => {
      const previous = run.last
      run.last = next
      if (previous === undefined) return Deferred.doneUnsafe(run.answered, Exit.void)
      const nodesChanged = next.nodes !== previous.nodes
      for (const [service, set] of watchers) {
        const before = previous.services.get(service)
        const after = next.services.get(service)
        // A service with no check is absent from the answer: only a node's change can say it may have changed.
        // Functions always have one (toNomadJob registers an HTTP check); others are not ours to watch closely.
        const changed = before !== after || (before === undefined && nodesChanged)
        if (changed) { for (const watcher of set) signal(watcher) }
      }
    }

    const fail = (run: Run, error: UpstreamError) => {
      if (running !== run) return
      running = undefined
      Deferred.doneUnsafe(run.answered, Exit.fail(error))
      for (const set of watchers.values()) {
        for (const watcher of set) Deferred.doneUnsafe(watcher.signal, Exit.fail(error))
      }
      watchers.clear()
    }

    const start = Effect.gen(function*() {
      const run: Run = { answered: Deferred.makeUnsafe(), last: undefined, fiber: undefined }
      running = run
      run.fiber = yield* blockingWatch(query, (value) => value.all, timing.pause).pipe(
        Stream.runForEach((next) => Effect.sync(() => apply(run, next))),
        Effect.catch((error) => Effect.sync(() => fail(run, error))),
        Effect.forkIn(scope)
      )
      return run
    })

    const add = (service: string) =>
      lock.withPermits(1)(Effect.gen(function*() {
        const watcher: Watcher = { service, signal: Deferred.makeUnsafe() }
        const set = watchers.get(service) ?? new Set()
        set.add(watcher)
        watchers.set(service, set)
        const run = running ?? (yield* start)
        return { watcher, run }
      }))

    const remove = (watcher: Watcher) =>
      lock.withPermits(1)(Effect.suspend(() => {
        const set = watchers.get(watcher.service)
        if (set === undefined || !set.delete(watcher)) return Effect.void
        if (set.size === 0) watchers.delete(watcher.service)
        const run = running
        if (watchers.size > 0 || run === undefined) return Effect.void
        running = undefined
        return run.fiber === undefined ? Effect.void : Fiber.interrupt(run.fiber)
      }))

    const subscribe = (service: string) =>
      Effect.gen(function*() {
        const { run, watcher } = yield* Effect.acquireRelease(add(service), (added) => remove(added.watcher))
        yield* Deferred.await(run.answered)
        return {
          changed: Effect.suspend(() => Deferred.await(watcher.signal)).pipe(
            Effect.timeoutOption(timing.refresh),
            Effect.flatMap((signalled) =>
              Effect.sync(() => {
                // A refresh leaves the signal armed: a change it has not seen yet still counts.
                if (Option.isSome(signalled)) watcher.signal = Deferred.makeUnsafe()
              })
            )
          )
        }
      })

    return { subscribe }
  })
