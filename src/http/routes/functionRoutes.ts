/** /system/functions, /system/function/{name} and /system/scale-function/{name}. */
import { Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { InvalidRequest } from "../../domain/errors.ts"
import { FunctionDeployment } from "../../domain/FunctionDeployment.ts"
import { DeleteFunctionRequest, ScaleServiceRequest } from "../../domain/requests.ts"
import { Functions } from "../../provider/Functions.ts"
import { Namespaces } from "../../provider/Namespaces.ts"
import { respond } from "../errorResponse.ts"
import { decodeNameField, readJsonBody, requestNamespace } from "../requestInput.ts"

const accepted = HttpServerResponse.empty({ status: 202, headers: { "content-length": "0" } })

export const FunctionRoutes = HttpRouter.use(Effect.fnUntraced(function*(router) {
  const functions = yield* Functions
  const namespaces = yield* Namespaces

  /** The name in the path; the router ends a path at `;`, so a `;` there would name another function. */
  const pathName = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const path = request.url.split("?", 1)[0]!
    if (path.includes(";")) return yield* new InvalidRequest({ message: `a function name cannot contain ";": ${path}` })
    return (yield* decodeNameField(yield* HttpRouter.params)).name
  })

  yield* router.add(
    "GET",
    "/system/functions",
    Effect.gen(function*() {
      const namespace = yield* requestNamespace(namespaces)
      return HttpServerResponse.jsonUnsafe(yield* functions.list(namespace))
    }).pipe(respond)
  )

  yield* router.add(
    "POST",
    "/system/functions",
    Effect.gen(function*() {
      const deployment = yield* readJsonBody(FunctionDeployment)
      yield* functions.deploy(deployment, yield* requestNamespace(namespaces, deployment.namespace))
      return accepted
    }).pipe(respond)
  )

  yield* router.add(
    "PUT",
    "/system/functions",
    Effect.gen(function*() {
      const deployment = yield* readJsonBody(FunctionDeployment)
      yield* functions.update(deployment, yield* requestNamespace(namespaces, deployment.namespace))
      return accepted
    }).pipe(respond)
  )

  yield* router.add(
    "DELETE",
    "/system/functions",
    Effect.gen(function*() {
      const request = yield* readJsonBody(DeleteFunctionRequest)
      const namespace = yield* requestNamespace(namespaces, request.namespace)
      yield* functions.remove({ name: request.functionName, namespace })
      return accepted
    }).pipe(respond)
  )

  yield* router.add(
    "GET",
    "/system/function/:name",
    Effect.gen(function*() {
      const name = yield* pathName
      const namespace = yield* requestNamespace(namespaces)
      return HttpServerResponse.jsonUnsafe(yield* functions.status({ name, namespace }))
    }).pipe(respond)
  )

  yield* router.add(
    "POST",
    "/system/scale-function/:name",
    Effect.gen(function*() {
      const name = yield* pathName
      const request = yield* readJsonBody(ScaleServiceRequest)
      const namespace = yield* requestNamespace(namespaces, request.namespace)
      // The path names the function; a body naming another is a mistake to say, not to ignore. An empty
      // serviceName is a Go client's unset field.
      const named = request.serviceName ?? ""
      if (named !== "" && named !== name && named !== `${name}.${namespace}`) {
        return yield* new InvalidRequest({
          message: `serviceName: ${JSON.stringify(named)} in the body names another function than ${
            JSON.stringify(name)
          } in the path`
        })
      }
      yield* functions.scale({ name, namespace }, request.replicas)
      return accepted
    }).pipe(respond)
  )
}))
