/**
 * The agent endpoints a client touches besides discovery: `/v1/agent/self`
 * (who and where the agent is), `/v1/status/leader`, and local service
 * registration, which here reaches the catalog at once (anti-entropy done).
 */
import { readBody } from "../SimServer.ts"
import { HttpError } from "./ConsulHttp.ts"
import type { Route } from "./ConsulRouter.ts"
import { consulVersion, nodeMeta } from "./ConsulShapes.ts"
import { requestToken } from "./QueryOptions.ts"
import type { ConsulContext } from "./ServeQuery.ts"
import { decodeRegistration } from "./ServiceDefinition.ts"

const serverRpcPort = 8300
const serfLanPort = 8301

export const agentRoutes = (context: ConsulContext): ReadonlyArray<Route> => {
  const { catalog, acl } = context
  const principalOf = (query: URLSearchParams, headers: Parameters<typeof requestToken>[1]) =>
    acl.resolve(requestToken(query, headers))
  return [
    {
      pattern: "/v1/status/leader",
      methods: ["GET"],
      handle: (call) => {
        const dc = call.query.get("dc") || context.datacenter
        if (dc !== context.datacenter) throw new HttpError(500, "No path to datacenter")
        call.reply.json(`${catalog.node.address}:${serverRpcPort}`)
      }
    },
    {
      pattern: "/v1/agent/self",
      methods: ["GET"],
      handle: (call) => {
        const node = catalog.node
        acl.require(principalOf(call.query, call.request.headers), "agent:read", node.name)
        call.reply.json({
          Config: {
            Datacenter: node.datacenter,
            PrimaryDatacenter: node.datacenter,
            NodeName: node.name,
            NodeID: node.id,
            Partition: "",
            Revision: "simulated",
            Server: true,
            Version: consulVersion,
            BuildDate: "2025-01-01T00:00:00Z"
          },
          Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 0.00001 },
          Member: {
            Name: node.name,
            Addr: node.address,
            Port: serfLanPort,
            Tags: {
              acls: acl.enabled ? "1" : "0",
              build: `${consulVersion}:simulated`,
              dc: node.datacenter,
              id: node.id,
              port: String(serverRpcPort),
              role: "consul",
              vsn: "2"
            },
            Status: 1,
            ProtocolMin: 1,
            ProtocolMax: 5,
            ProtocolCur: 2,
            DelegateMin: 2,
            DelegateMax: 5,
            DelegateCur: 4
          },
          Stats: {},
          Meta: nodeMeta()
        })
      }
    },
    {
      pattern: "/v1/agent/service/register",
      methods: ["PUT"],
      handle: async (call) => {
        const registration = decodeRegistration(await readBody(call.request))
        const principal = principalOf(call.query, call.request.headers)
        acl.require(principal, "service:write", registration.service.name)
        const existing = catalog.service(registration.service.id)
        if (existing !== undefined) acl.require(principal, "service:write", existing.name)
        catalog.register(registration.service, registration.checks)
        call.reply.empty(200)
      }
    },
    {
      pattern: "/v1/agent/service/deregister/",
      methods: ["PUT"],
      handle: (call) => {
        const id = call.rest
        const principal = principalOf(call.query, call.request.headers)
        const existing = catalog.service(id)
        if (existing === undefined) {
          throw new HttpError(
            404,
            `Unknown service ID ${JSON.stringify(id)}. Ensure that the service ID is passed, not the service name.`
          )
        }
        acl.require(principal, "service:write", existing.name)
        catalog.deregister(id)
        call.reply.empty(200)
      }
    }
  ]
}
