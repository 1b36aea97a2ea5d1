/**
 * GET /system/openapi.json, the API as an OpenAPI 3.1 document generated from
 * its declaration, and GET /system/docs, the reference page on it (Scalar).
 * The page carries Scalar's script itself, so a cluster with no internet
 * shows it, and it loads no fonts from elsewhere: no request leaves for
 * another host. The script is 3 MB: it is loaded on the first visit, not at
 * start, and the page is built once.
 */
import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { HttpApiBuilder, HttpApiScalar, OpenApi } from "effect/http-api"
import { ProviderApi } from "../api/ProviderApi.ts"

export const docsPath = "/system/docs"

/** Scalar's page for the API, as its own route serves it: asked once, of a handler of its own, then let go. */
const scalarPage = Effect.promise(async () => {
  const { dispose, handler } = HttpRouter.toWebHandler(
    HttpApiScalar.layer(ProviderApi, {
      path: docsPath,
      scalar: {
        withDefaultFonts: false,
        defaultOpenAllTags: true,
        hideModels: true,
        authentication: { preferredSecurityScheme: "basic" }
      }
    }),
    { disableLogger: true }
  )
  try {
    const page = await handler(new Request(`http://provider${docsPath}`))
    return HttpServerResponse.text(await page.text(), {
      contentType: page.headers.get("content-type") ?? "text/html"
    })
  } finally {
    await dispose()
  }
})

export const DocumentationHandlers = HttpApiBuilder.group(
  ProviderApi,
  "documentation",
  Effect.fnUntraced(function*(handlers) {
    const document = HttpServerResponse.jsonUnsafe(OpenApi.fromApi(ProviderApi))
    const page = yield* Effect.cached(scalarPage)
    return handlers
      .handle("openapi", () => Effect.succeed(document))
      .handle("docs", () => page)
  })
)
