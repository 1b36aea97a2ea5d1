/**
 * `/v1/catalog/service/:service` (flat rows, no health) and
 * `/v1/catalog/services` (`{name: [tags]}`, filtered over the same rows).
 */
import { createFilter } from "./BexprFilter.ts"
import type { Route } from "./ConsulRouter.ts"
import { serviceNodeJson } from "./ConsulShapes.ts"
import { serviceNodeType } from "./FilterSchemas.ts"
import { withTags } from "./HealthRoutes.ts"
import { type ConsulContext, readable, rowsQuery, serveQuery } from "./ServeQuery.ts"

export const catalogRoutes = (context: ConsulContext): ReadonlyArray<Route> => {
  const { catalog } = context
  return [
    {
      pattern: "/v1/catalog/service/",
      methods: ["GET"],
      handle: (call) =>
        serveQuery(
          call,
          context,
          rowsQuery(context, call.rest, {
            missing: "Missing service name",
            schema: serviceNodeType,
            rows: (name) =>
              withTags(catalog.servicesNamed(name), call.query).map((s) => serviceNodeJson(catalog.node, s)),
            index: (name) => catalog.serviceIndex(name, false)
          })
        )
    },
    {
      pattern: "/v1/catalog/services",
      methods: ["GET"],
      handle: (call) =>
        serveQuery(call, context, (options) => (principal) => {
          const filter = createFilter(options.filter, serviceNodeType)
          return () => {
            const visible = readable(
              context,
              principal,
              catalog.services().map((s) => serviceNodeJson(catalog.node, s))
            )
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
