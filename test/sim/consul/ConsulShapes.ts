/**
 * The JSON Consul CE sends for catalog data, field for field in the order of
 * its Go structs (`CheckServiceNode`, `ServiceNode`, `HealthCheck`). Where the
 * documentation samples differ from what a current server sends (the
 * Enterprise-only `Namespace`, Connect fields that are `omitempty` now), this
 * follows the server, so a client that leans on a sample-only field fails here
 * as it would in production.
 */
import type { CatalogCheck, CatalogNode, CatalogService } from "./ConsulCatalog.ts"

export const consulVersion = "1.21.4"

/** Go's encoding/json sorts map keys. */
const sortedMap = <A>(map: Readonly<Record<string, A>> | null): Record<string, A> | null =>
  map === null ? null : Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

export const nodeTaggedAddresses = (node: CatalogNode) =>
  sortedMap({ lan: node.address, lan_ipv4: node.address, wan: node.address, wan_ipv4: node.address })

export const nodeMeta = () => sortedMap({ "consul-network-segment": "", "consul-version": consulVersion })

/** `structs.Node`. */
export const nodeJson = (node: CatalogNode) => ({
  ID: node.id,
  Node: node.name,
  Address: node.address,
  Datacenter: node.datacenter,
  TaggedAddresses: nodeTaggedAddresses(node),
  Meta: nodeMeta(),
  CreateIndex: node.createIndex,
  ModifyIndex: node.modifyIndex
})

/** `structs.ConnectProxyConfig` of a plain service: every field but these is `omitempty`. */
const emptyProxy = () => ({ Mode: "", MeshGateway: {}, Expose: {} })

/** `structs.NodeService`. */
export const serviceJson = (service: CatalogService) => ({
  ID: service.id,
  Service: service.name,
  Tags: [...service.tags],
  Address: service.address,
  ...(Object.keys(service.taggedAddresses).length === 0 ? {} : { TaggedAddresses: sortedMap(service.taggedAddresses) }),
  Meta: sortedMap(service.meta),
  Port: service.port,
  Weights: service.weights,
  EnableTagOverride: service.enableTagOverride,
  Proxy: emptyProxy(),
  Connect: {},
  CreateIndex: service.createIndex,
  ModifyIndex: service.modifyIndex
})

/** `structs.HealthCheck`; `ServiceTags` is never null on the health endpoints. */
export const checkJson = (check: CatalogCheck, node: CatalogNode, service: CatalogService | undefined) => ({
  Node: node.name,
  CheckID: check.checkId,
  Name: check.name,
  Status: check.status,
  Notes: check.notes,
  Output: check.output,
  ServiceID: check.serviceId,
  ServiceName: service?.name ?? "",
  ServiceTags: [...(service?.tags ?? [])],
  Type: check.type,
  Interval: check.interval,
  Timeout: check.timeout,
  ExposedPort: 0,
  Definition: {},
  CreateIndex: check.createIndex,
  ModifyIndex: check.modifyIndex
})

export type CheckJson = ReturnType<typeof checkJson>

/** `structs.CheckServiceNode`: node checks first, then the service's, as the state store reads them. */
export const checkServiceNodeJson = (
  node: CatalogNode,
  service: CatalogService,
  nodeChecks: ReadonlyArray<CatalogCheck>,
  serviceChecks: ReadonlyArray<CatalogCheck>
) => ({
  Node: nodeJson(node),
  Service: serviceJson(service),
  Checks: [
    ...nodeChecks.map((c) => checkJson(c, node, undefined)),
    ...serviceChecks.map((c) => checkJson(c, node, service))
  ]
})

export type CheckServiceNodeJson = ReturnType<typeof checkServiceNodeJson>

/** `structs.ServiceNode`, the flat catalog row. */
export const serviceNodeJson = (node: CatalogNode, service: CatalogService) => ({
  ID: node.id,
  Node: node.name,
  Address: node.address,
  Datacenter: node.datacenter,
  TaggedAddresses: nodeTaggedAddresses(node),
  NodeMeta: nodeMeta(),
  ServiceKind: "",
  ServiceID: service.id,
  ServiceName: service.name,
  ServiceTags: [...service.tags],
  ServiceAddress: service.address,
  ...(Object.keys(service.taggedAddresses).length === 0
    ? {}
    : { ServiceTaggedAddresses: sortedMap(service.taggedAddresses) }),
  ServiceWeights: service.weights,
  ServiceMeta: sortedMap(service.meta),
  ServicePort: service.port,
  ServiceEnableTagOverride: service.enableTagOverride,
  ServiceProxy: emptyProxy(),
  ServiceConnect: {},
  CreateIndex: service.createIndex,
  ModifyIndex: service.modifyIndex
})

export type ServiceNodeJson = ReturnType<typeof serviceNodeJson>

/**
 * Go's `json.Marshal`: minimised, no trailing newline, and `<`, `>`, `&`,
 * U+2028, U+2029 escaped. `?pretty` indents by four spaces and adds a newline.
 */
export const goJson = (value: unknown, pretty: boolean): string => {
  const text = pretty ? `${JSON.stringify(value, null, 4)}\n` : JSON.stringify(value)
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
}
