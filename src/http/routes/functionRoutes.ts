/**
 * The functions endpoints: /system/functions, /system/function/{name} and /system/scale-function/{name}.
 * A list or a status is answered as the JSON it already is: the declaration's schema describes it, and encoding
 * each status through the schema again (a thousand per list) would cost every caller for nothing.
 */
import { Effect } from "effect"
import { HttpServerResponse } from "effect/http"
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
      .handle(
        "list",
        ({ query }) =>
          namespace(query).pipe(
            Effect.flatMap(functions.list),
            Effect.map((list) => HttpServerResponse.jsonUnsafe(list))
          )
      )
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
          namespace(query).pipe(
            Effect.flatMap((ns) => functions.status({ name: params.name, namespace: ns })),
            Effect.map((status) => HttpServerResponse.jsonUnsafe(status))
          )
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
