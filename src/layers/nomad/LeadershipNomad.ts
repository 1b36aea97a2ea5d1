/**
 * Leadership held in Nomad, for several provider replicas: a lock on the
 * Variable `faas-nomad/autoscaler/leader` in NOMAD_NAMESPACE (Nomad ≥ 1.7).
 * Every replica tries to acquire it once per period; the one that holds it
 * renews it once per period and leads. A renew Nomad refuses (the lock was
 * lost), or none answered before the TTL would run out counted from the
 * last one answered, ends the term at once: the leader stops deciding
 * before Nomad can give the lock to another (Nomad keeps an unrenewed lock
 * twice its TTL, then its lock delay). On shutdown a leader releases the
 * lock, so a successor need not wait.
 *
 * Takeover after a leader dies: within 2 × TTL + lock delay + one period.
 */
import { Clock, Duration, Effect, Layer, Option } from "effect"
import { ProviderConfig } from "../../config/ProviderConfig.ts"
import { Leadership } from "../../services/Leadership.ts"
import { NomadVariables, type NomadVariablesApi } from "./NomadVariables.ts"

/** Where the lock lives, in NOMAD_NAMESPACE. */
export const leaderPath = "faas-nomad/autoscaler/leader"

/** Nomad's lowest TTL is 10 s; 15 s leaves a renew every 5 s two chances to fail before the lease is in doubt. */
export const leaseTtl = Duration.seconds(15)

export interface LeaseOptions {
  readonly namespace: string
  /** This replica's lock ID: the same on every attempt, so an acquire whose answer was lost may be repeated. */
  readonly replicaId: string
  readonly ttl: Duration.Duration
  /** How often the leader renews, and how often the others try to acquire: the autoscaler's interval, at most TTL / 3. */
  readonly period: Duration.Duration
}

/** The period of a lease for `interval`: what renews and acquisitions run on. */
export const leasePeriod = (interval: Duration.Duration, ttl: Duration.Duration = leaseTtl) =>
  Duration.min(interval, Duration.divideUnsafe(ttl, 3))

export const make = (vars: NomadVariablesApi, options: LeaseOptions) => {
  const { namespace, period } = options
  const ttlMillis = Duration.toMillis(options.ttl)
  const acquireOptions = {
    ttl: options.ttl,
    // How long nobody may take a lost lock: one period, enough for a leader cut off from Nomad to have stopped.
    lockDelay: period,
    id: options.replicaId
  }

  /** Renews every period while Nomad answers; ends, saying why, once the lease is lost or in doubt. */
  const keep = (lockId: string, renewedAt: number) =>
    Effect.gen(function*() {
      let lastRenewed = renewedAt
      while (true) {
        yield* Effect.sleep(period)
        const asked = yield* Clock.currentTimeMillis
        const left = ttlMillis - (asked - lastRenewed)
        if (left <= 0) return `no renew was answered for ${Duration.format(options.ttl)}`
        const renewed = yield* vars.renewLock(namespace, leaderPath, lockId).pipe(
          Effect.timeoutOption(Duration.millis(left)),
          Effect.map(Option.isSome),
          Effect.catchTag("LockLost", (lost) => Effect.succeed(`Nomad says: ${lost.message}`)),
          Effect.catch((error) =>
            Effect.as(Effect.logWarning(`autoscaler: cannot renew the lease: ${error.message}`), false)
          )
        )
        if (typeof renewed === "string") return renewed
        if (renewed) lastRenewed = asked
      }
    })

  const release = (lockId: string) =>
    vars.releaseLock(namespace, leaderPath, lockId).pipe(
      Effect.timeoutOption(period),
      Effect.tap(() => Effect.logInfo("autoscaler: lease released")),
      Effect.catch((error) => Effect.logWarning(`autoscaler: cannot release the lease: ${error.message}`))
    )

  return Leadership.of({
    whileLeader: (lead) =>
      Effect.gen(function*() {
        let warned = false
        while (true) {
          const startedAt = yield* Clock.currentTimeMillis
          const acquired = yield* vars.acquireLock(namespace, leaderPath, acquireOptions).pipe(
            // Acquiring again under the ID that holds it does not restart the TTL: a renew does.
            Effect.tap((locked) => vars.renewLock(namespace, leaderPath, locked.Lock.ID)),
            Effect.map((locked) => Option.some(locked.Lock.ID)),
            Effect.catchTags({
              LockHeld: () => Effect.succeedNone,
              LockLost: () => Effect.succeedNone
            }),
            Effect.catch((error) =>
              Effect.gen(function*() {
                // Said once per outage, not once per period.
                if (!warned) yield* Effect.logWarning(`autoscaler: cannot ask Nomad for the lease: ${error.message}`)
                warned = true
                return Option.none<string>()
              })
            )
          )
          if (Option.isNone(acquired)) {
            yield* Effect.sleep(period)
            continue
          }
          warned = false
          const lockId = acquired.value
          const why = yield* Effect.raceFirst(
            Effect.scoped(lead).pipe(Effect.andThen(Effect.never)),
            keep(lockId, startedAt)
          ).pipe(Effect.onInterrupt(() => release(lockId)))
          yield* Effect.logWarning(`autoscaler: lease lost (${why}); this replica stops deciding`)
          yield* Effect.sleep(period)
        }
      })
  })
}

export const layer = (replicaId: string): Layer.Layer<Leadership, never, NomadVariables | ProviderConfig> =>
  Layer.effect(
    Leadership,
    Effect.gen(function*() {
      const config = yield* ProviderConfig
      const vars = yield* NomadVariables
      return make(vars, {
        namespace: config.nomadNamespace,
        replicaId,
        ttl: leaseTtl,
        period: leasePeriod(config.autoscalerInterval)
      })
    })
  )
