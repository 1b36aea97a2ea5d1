/** The functions endpoints: /system/functions, /system/function/{name} and /system/scale-function/{name}. */
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { InvalidRequest } from "../../domain/errors.ts"
import { Functions } from "../../provider/Functions.ts"
import { Namespaces } from "../../provider/Namespaces.ts"
import { ProviderApi } from "../api/ProviderApi.ts"

export const FunctionHandlers = HttpApiBuilder.group(
  ProviderApi,
  "functions",
  Effect.fnUntraced(function*(handlers) {
    const functions = yield* Functions
    const namespaces = yield* Namespaces
    /** The `namespace` query first, then the body's, else the default. */
    const namespace = (query: { readonly namespace?: string }, body?: string) =>
      namespaces.resolve(query.namespace || body)

    return handlers
      .handle("list", ({ query }) => Effect.flatMap(namespace(query), functions.list))
      .handle(
        "deploy",
        ({ payload, query }) =>
          Effect.flatMap(namespace(query, payload.namespace), (ns) => functions.deploy(payload, ns))
      )
      .handle(
        "update",
        ({ payload, query }) =>
          Effect.flatMap(namespace(query, payload.namespace), (ns) => functions.update(payload, ns))
      )
      .handle("delete", ({ payload, query }) =>
        Effect.flatMap(
          namespace(query, payload.namespace),
          (ns) => functions.remove({ name: payload.functionName, namespace: ns })
        ))
      .handle(
        "status",
        ({ params, query }) =>
          Effect.flatMap(namespace(query), (ns) => functions.status({ name: params.name, namespace: ns }))
      )
      .handle("scale", ({ params, payload, query }) =>
        Effect.gen(function*() {
          const ns = yield* namespace(query, payload.namespace)
          // The path names the function; a body naming another is a mistake to say, not to ignore. An empty
          // serviceName is a Go client's unset field.
          const named = payload.serviceName ?? ""
          if (named !== "" && named !== params.name && named !== `${params.name}.${ns}`) {
            return yield* new InvalidRequest({
              message: `serviceName: ${JSON.stringify(named)} in the body names another function than ${
                JSON.stringify(params.name)
              } in the path`
            })
          }
          return yield* functions.scale({ name: params.name, namespace: ns }, payload.replicas)
        }))
  })
)
