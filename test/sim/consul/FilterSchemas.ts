/**
 * The filterable fields of the Go types Consul filters, as go-bexpr reflects
 * them (fields tagged `bexpr:"-"`, such as the Raft indexes and `Definition`,
 * are not selectable). Only the fields a client could reasonably name are
 * listed for the Connect structs.
 */
import type { FieldType } from "./BexprFilter.ts"

const string: FieldType = { kind: "string" }
const int: FieldType = { kind: "int" }
const bool: FieldType = { kind: "bool" }
const struct = (fields: Readonly<Record<string, FieldType>>): FieldType => ({ kind: "struct", fields })
const list = (element: FieldType): FieldType => ({ kind: "list", element })
const map = (value?: FieldType): FieldType => (value === undefined ? { kind: "map" } : { kind: "map", value })

const serviceAddress = struct({ Address: string, Port: int })
const weights = struct({ Passing: int, Warning: int })

const proxy = struct({
  DestinationServiceName: string,
  DestinationServiceID: string,
  LocalServiceAddress: string,
  LocalServicePort: int,
  LocalServiceSocketPath: string,
  Mode: string,
  Config: map(),
  Upstreams: list(struct({
    DestinationType: string,
    DestinationNamespace: string,
    DestinationName: string,
    Datacenter: string,
    LocalBindAddress: string,
    LocalBindPort: int
  })),
  MeshGateway: struct({ Mode: string }),
  Expose: struct({ Checks: bool }),
  TransparentProxy: struct({ OutboundListenerPort: int, DialedDirectly: bool })
})

const connect = struct({ Native: bool })

/** `structs.HealthCheck`. */
export const healthCheckType: FieldType = struct({
  Node: string,
  CheckID: string,
  Name: string,
  Status: string,
  Notes: string,
  Output: string,
  ServiceID: string,
  ServiceName: string,
  ServiceTags: list(string),
  Type: string,
  Interval: string,
  Timeout: string,
  ExposedPort: int,
  PeerName: string
})

const nodeType = struct({
  ID: string,
  Node: string,
  Address: string,
  Datacenter: string,
  Partition: string,
  PeerName: string,
  TaggedAddresses: map(string),
  Meta: map(string)
})

const nodeServiceType = struct({
  Kind: string,
  ID: string,
  Service: string,
  Tags: list(string),
  Address: string,
  TaggedAddresses: map(serviceAddress),
  Meta: map(string),
  Port: int,
  SocketPath: string,
  Weights: weights,
  EnableTagOverride: bool,
  Proxy: proxy,
  Connect: connect,
  PeerName: string
})

/** `structs.CheckServiceNode`: the rows of `/v1/health/service/:service`. */
export const checkServiceNodeType: FieldType = struct({
  Node: nodeType,
  Service: nodeServiceType,
  Checks: list(healthCheckType)
})

/** `structs.ServiceNode`: the rows of `/v1/catalog/service/:service`, and what `/v1/catalog/services` filters. */
export const serviceNodeType: FieldType = struct({
  ID: string,
  Node: string,
  Address: string,
  Datacenter: string,
  TaggedAddresses: map(string),
  NodeMeta: map(string),
  ServiceKind: string,
  ServiceID: string,
  ServiceName: string,
  ServiceTags: list(string),
  ServiceAddress: string,
  ServiceTaggedAddresses: map(serviceAddress),
  ServiceWeights: weights,
  ServiceMeta: map(string),
  ServicePort: int,
  ServiceSocketPath: string,
  ServiceEnableTagOverride: bool,
  ServiceProxy: proxy,
  ServiceConnect: connect,
  PeerName: string
})
