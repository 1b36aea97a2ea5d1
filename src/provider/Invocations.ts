/**
 * Invoking a function: the name in `/function/<name>[.<namespace>]` made
 * into a function that is watched and has a ready instance. Only the first
 * invocation of a function, or one that finds no ready instance, comes here;
 * the proxy serves the others from the resolver's entry, without Effect.
 */
import { Context, Duration, Effect, Layer, Result } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import {
  type ConcurrentModification,
  type DeploymentRejected,
  FunctionNotFound,
  InvalidRequest,
  NoReadyInstance,
  type UpstreamError
} from "../domain/errors.ts"
import { decodeFunctionName, type FunctionRef, refKey, splitQualifiedName } from "../domain/FunctionName.ts"
import { initialReplicas } from "../jobs/functionLabels.ts"
import { cutInput, quoted } from "../schema/problemText.ts"
import { EndpointResolver, type ResolverEntry } from "./EndpointResolver.ts"
import { Functions } from "./Functions.ts"
import { Namespaces } from "./Namespaces.ts"

/** Why a function cannot be invoked now. */
export type InvocationError =
  | InvalidRequest
  | FunctionNotFound
  | NoReadyInstance
  | DeploymentRejected
  | ConcurrentModification
  | UpstreamError

export class Invocations extends Context.Service<Invocations, {
  /**
   * The function a name as written in the URL stands for (`name` or `name.namespace`), made ready: watched,
   * scaled up from zero when `scale_from_zero` is on, and with a ready instance unless none comes within the
   * function's timeout. Instances that failed to start fail it at once, with Nomad's reason.
   */
  readonly prepare: (qualifiedName: string) => Effect.Effect<ResolverEntry, InvocationError>
}>()("faas-nomad/Invocations") {
  static readonly layer = Layer.effect(
    Invocations,
    Effect.gen(function*() {
      const config = yield* ProviderConfig
      const resolver = yield* EndpointResolver
      const functions = yield* Functions
      const namespaces = yield* Namespaces
      const defaultTimeout = config.writeTimeout

      const prepare = Effect.fnUntraced(function*(qualifiedName: string) {
        const { name, namespace } = splitQualifiedName(qualifiedName)
        // `/function/.openfaas-fn` names no function: not found, as the certifier expects (Test_InvokeNotFound).
        if (name === "") return yield* new FunctionNotFound({ name, namespace: cutInput(namespace ?? "") })
        const decoded = decodeFunctionName(name)
        if (decoded._tag === "None") {
          return yield* new InvalidRequest({ message: `function name ${quoted(name)} is not a DNS-1123 label` })
        }
        const ns = yield* namespaces.resolve(namespace).pipe(
          Effect.catchTag(
            "NamespaceNotFound",
            (e) => Effect.fail(new FunctionNotFound({ name, namespace: e.namespace }))
          )
        )
        const ref: FunctionRef = { name: decoded.value, namespace: ns }
        // Only functions that exist are watched: a name not watched yet is read first (404 for one that is no
        // function), and that read serves below when no instance is ready.
        const unwatchedStatus = resolver.peek(refKey(ref)) === undefined ? yield* functions.status(ref) : undefined
        const entry = yield* resolver.entry(ref)
        if (entry.balancer.endpoints.length > 0) return entry
        const status = unwatchedStatus ?? (yield* functions.status(ref))
        if (status.replicas === 0) {
          if (!config.scaleFromZero) return yield* new NoReadyInstance(ref)
          yield* functions.scale(ref, Result.getOrElse(initialReplicas(status.labels, config.maxReplicas), () => 1))
        }
        // Instances that failed to start will not serve: say why at once rather than wait.
        const failed = yield* functions.failure(ref)
        if (failed !== undefined) return yield* new NoReadyInstance({ ...ref, reason: failed })
        // Right after a deploy or a scale from zero, wait for the first instance rather than fail.
        const deadline = entry.timeoutMillis === undefined ? defaultTimeout : Duration.millis(entry.timeoutMillis)
        const ready = yield* resolver.awaitReady(ref, deadline)
        if (ready.balancer.endpoints.length === 0) return yield* new NoReadyInstance(ref)
        return ready
      })

      return Invocations.of({ prepare })
    })
  )
}
