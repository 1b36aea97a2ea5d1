/**
 * `/v1/catalog/service/:service` (flat rows, no health) and
 * `/v1/catalog/services` (`{name: [tags]}`, filtered over the same rows).
 */
import { createFilter } from "./BexprFilter.ts"
import { HttpError } from "./ConsulHttp.ts"
import type { Route } from "./ConsulRouter.ts"
import { serviceNodeJson } from "./ConsulShapes.ts"
import { serviceNodeType } from "./FilterSchemas.ts"
import { withTags } from "./HealthRoutes.ts"
import { type ConsulContext, readable, serveQuery } from "./ServeQuery.ts"

export const catalogRoutes = (context: ConsulContext): ReadonlyArray<Route> => {
  const { catalog } = context
  return [
    {
      pattern: "/v1/catalog/service/",
      methods: ["GET"],
      handle: (call) =>
        serveQuery(call, context, (options) => {
          const name = call.rest
          if (name === "") throw new HttpError(400, "Missing service name")
          return (principal) => {
            const filter = createFilter(options.filter, serviceNodeType)
            return () => {
              const rows = withTags(catalog.servicesNamed(name), call.query).map((s) => serviceNodeJson(catalog.node, s))
              const visible = readable(context, principal, rows)
              return {
                index: catalog.serviceIndex(name, false),
                body: filter === undefined ? visible.rows : visible.rows.filter(filter),
                filteredByAcls: visible.filtered
              }
            }
          }
        })
    },
    {
      pattern: "/v1/catalog/services",
      methods: ["GET"],
      handle: (call) =>
        serveQuery(call, context, (options) => (principal) => {
          const filter = createFilter(options.filter, serviceNodeType)
          return () => {
            const visible = readable(context, principal, catalog.services().map((s) => serviceNodeJson(catalog.node, s)))
            const tags = new Map<string, Set<string>>()
            for (const row of filter === undefined ? visible.rows : visible.rows.filter(filter)) {
              const set = tags.get(row.ServiceName) ?? new Set()
              for (const tag of row.ServiceTags) set.add(tag)
              tags.set(row.ServiceName, set)
            }
            const names = [...tags.keys()].sort()
            return {
              index: catalog.servicesIndex,
              body: Object.fromEntries(names.map((n) => [n, [...tags.get(n)!]])),
              filteredByAcls: visible.filtered
            }
          }
        })
    }
  ]
}
