/**
 * `/v1/health/service/:service`, `/v1/health/checks/:service` and
 * `/v1/health/state/:state`. `?passing` is applied by the HTTP layer after
 * the (possibly blocking) query, as in `agent/health_endpoint.go`, so a bad
 * value is reported only then, and the kept entries are reordered the way
 * Consul's `filterNonPassing` swaps them.
 */
import { parseGoBool } from "../GoParsers.ts"
import { type CatalogService, compareIds } from "./ConsulCatalog.ts"
import { HttpError } from "./ConsulHttp.ts"
import type { Route } from "./ConsulRouter.ts"
import { checkJson, type CheckServiceNodeJson, checkServiceNodeJson } from "./ConsulShapes.ts"
import { checkServiceNodeType, healthCheckType } from "./FilterSchemas.ts"
import { type ConsulContext, rowsQuery, serveQuery } from "./ServeQuery.ts"

/** `?tag=a&tag=b`: instances carrying every tag, compared case-insensitively. */
export const withTags = (services: ReadonlyArray<CatalogService>, query: URLSearchParams) => {
  if (!query.has("tag")) return services
  const wanted = query.getAll("tag").map((t) => t.toLowerCase())
  return services.filter((s) => wanted.every((tag) => s.tags.some((t) => t.toLowerCase() === tag)))
}

/** Go's `filterNonPassing`: drops entries with any non-passing check by swapping in the last entry. */
const filterNonPassing = (nodes: ReadonlyArray<CheckServiceNodeJson>) => {
  const out = [...nodes]
  let n = out.length
  for (let i = 0; i < n; i++) {
    if (out[i]!.Checks.some((c) => c.Status !== "passing")) {
      out[i] = out[n - 1]!
      n -= 1
      i -= 1
    }
  }
  return out.slice(0, n)
}

const passingOnly = (query: URLSearchParams): boolean => {
  if (!query.has("passing")) return false
  const raw = query.get("passing") ?? ""
  if (raw === "") return true
  const value = parseGoBool(raw)
  if (value === undefined) throw new HttpError(400, "Invalid value for ?passing")
  return value
}

export const healthRoutes = (context: ConsulContext): ReadonlyArray<Route> => {
  const { catalog } = context
  return [
    {
      pattern: "/v1/health/service/",
      methods: ["GET"],
      handle: (call) =>
        serveQuery(
          call,
          context,
          rowsQuery(context, call.rest, {
            missing: "Missing service name",
            schema: checkServiceNodeType,
            rows: (name) =>
              withTags(catalog.servicesNamed(name), call.query).map((s) =>
                checkServiceNodeJson(catalog.node, s, catalog.nodeChecks(), catalog.checksOf(s.id))
              ),
            index: (name) => catalog.serviceIndex(name, true)
          }),
          (body) => {
            const nodes = body as ReadonlyArray<CheckServiceNodeJson>
            return passingOnly(call.query) ? filterNonPassing(nodes) : nodes
          },
          true
        )
    },
    {
      pattern: "/v1/health/checks/",
      methods: ["GET"],
      handle: (call) =>
        serveQuery(
          call,
          context,
          rowsQuery(context, call.rest, {
            missing: "Missing service name",
            schema: healthCheckType,
            rows: (name) =>
              catalog.servicesNamed(name).flatMap((s) =>
                catalog.checksOf(s.id).map((c) => checkJson(c, catalog.node, s))
              ).sort((a, b) => compareIds(a.CheckID, b.CheckID)),
            index: (name) => catalog.serviceIndex(name, true)
          })
        )
    },
    {
      pattern: "/v1/health/state/",
      methods: ["GET"],
      handle: (call) =>
        serveQuery(
          call,
          context,
          rowsQuery(context, call.rest, {
            missing: "Missing check state",
            schema: healthCheckType,
            rows: (state) =>
              catalog.allChecks()
                .filter((c) => state === "any" || c.status === state)
                .sort((a, b) => (a.status < b.status ? -1 : a.status > b.status ? 1 : compareIds(a.checkId, b.checkId)))
                .map((c) => checkJson(c, catalog.node, c.serviceId === "" ? undefined : catalog.service(c.serviceId))),
            index: () => catalog.checksIndex
          })
        )
    }
  ]
}
