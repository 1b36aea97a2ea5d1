/**
 * OpenFaaS namespaces are Nomad namespaces: the default one (NOMAD_NAMESPACE)
 * and every namespace whose Meta has `openfaas` set to `1` or `true`, as
 * faasd labels containerd namespaces. Anything else is refused with a 4xx that
 * says how to allow it.
 */
import { Cache, Context, Effect, Exit, Layer, Option } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { StartupError } from "../config/StartupError.ts"
import { InvalidRequest, NamespaceNotFound, type UpstreamError } from "../domain/errors.ts"
import { decodeNamespaceName, type NamespaceName } from "../domain/FunctionName.ts"
import type { Namespace } from "../nomad/Namespace.ts"
import { quoted } from "../schema/problemText.ts"
import { Nomad } from "../services/Nomad.ts"

const isOpenFaaSNamespace = (namespace: Namespace) => {
  const flag = namespace.Meta?.["openfaas"]
  return flag === "1" || flag === "true"
}

export class Namespaces extends Context.Service<Namespaces, {
  readonly defaultNamespace: NamespaceName
  /** The namespace a request names (`undefined` or empty for the default), if functions may live there. */
  readonly resolve: (
    requested: string | undefined
  ) => Effect.Effect<NamespaceName, InvalidRequest | NamespaceNotFound | UpstreamError>
  readonly list: Effect.Effect<ReadonlyArray<string>, UpstreamError>
}>()("faas-nomad/Namespaces") {
  static readonly layer = Layer.effect(
    Namespaces,
    Effect.gen(function*() {
      const config = yield* ProviderConfig
      const nomad = yield* Nomad
      const defaultNamespace = yield* Option.match(decodeNamespaceName(config.nomadNamespace), {
        onNone: () =>
          Effect.fail(
            new StartupError({
              message: `NOMAD_NAMESPACE "${config.nomadNamespace}" is not a valid Nomad namespace name`
            })
          ),
        onSome: Effect.succeed
      })
      // Namespaces change rarely; a short memory spares Nomad one read per request.
      const allowed = yield* Cache.makeWith(
        (name: NamespaceName) => Effect.map(nomad.readNamespace(name), Option.exists(isOpenFaaSNamespace)),
        { capacity: 256, timeToLive: (exit) => (Exit.isSuccess(exit) && exit.value ? "10 seconds" : "1 second") }
      )

      const resolve = (requested: string | undefined) => {
        if (requested === undefined || requested === "" || requested === defaultNamespace) {
          return Effect.succeed(defaultNamespace)
        }
        const name = decodeNamespaceName(requested)
        if (Option.isNone(name)) {
          return Effect.fail(
            new InvalidRequest({
              message: `namespace: ${quoted(requested)} is not a Nomad namespace name (1 to 128 letters, digits or '-')`
            })
          )
        }
        return Cache.get(allowed, name.value).pipe(
          Effect.flatMap((ok) =>
            ok ? Effect.succeed(name.value) : Effect.fail(new NamespaceNotFound({ namespace: requested }))
          )
        )
      }

      const list = Effect.map(nomad.listNamespaces, (all) => [
        defaultNamespace as string,
        ...all.filter((n) => n.Name !== defaultNamespace && isOpenFaaSNamespace(n)).map((n) => n.Name).sort()
      ])

      return Namespaces.of({ defaultNamespace, resolve, list })
    })
  )
}
