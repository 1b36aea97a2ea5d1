/**
 * Nomad's HTTP mux: exact routes and `/v1/<x>/` prefixes as the agent
 * registers them, a 404 with an empty body for anything else, and every
 * handler error turned into the plain-text answer `wrap` gives.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type { LoggedRequest, SimHandler } from "../SimServer.ts"
import { agentHealth, agentSelf, statusLeader, statusPeers } from "./agentRoutes.ts"
import { allocationsList, allocationSpecific } from "./allocationsRoutes.ts"
import { clientAllocationRequest } from "./allocationStats.ts"
import { deploymentsList, deploymentSpecific } from "./deploymentsRoutes.ts"
import { HttpError, NotServed, type RequestContext, sendText } from "./http.ts"
import { jobSpecific, jobsRequest } from "./jobsRoutes.ts"
import { streamLogs } from "./logs.ts"
import { namespaceCreate, namespacesList, namespaceSpecific } from "./namespacesRoutes.ts"
import { servicesList, serviceSpecific } from "./servicesRoutes.ts"
import type { Handler, Sim } from "./sim.ts"
import { variablesList, variableSpecific } from "./variables.ts"

/** `/v1/client/fs/...`: only logs are simulated; Nomad answers unknown fs paths 404 `Invalid method`. */
const fsRequest: Handler = (ctx, sim) => {
  const rest = ctx.path.slice("/v1/client/fs/".length)
  if (rest.startsWith("logs/")) {
    return streamLogs(ctx, {
      store: sim.store,
      logs: sim.logs,
      principal: sim.principal,
      heartbeatMs: sim.agent.logHeartbeatMs
    })
  }
  if (/^(ls|stat|readat|cat|stream)\//.test(rest)) throw new NotServed()
  throw new HttpError(404, "Invalid method")
}

const exact: Readonly<Record<string, Handler>> = {
  "/v1/jobs": jobsRequest,
  "/v1/allocations": allocationsList,
  "/v1/deployments": deploymentsList,
  "/v1/namespaces": namespacesList,
  "/v1/namespace": namespaceCreate,
  "/v1/services": servicesList,
  "/v1/vars": variablesList,
  "/v1/agent/self": agentSelf,
  "/v1/agent/health": agentHealth,
  "/v1/status/leader": statusLeader,
  "/v1/status/peers": statusPeers
}

const prefixes: ReadonlyArray<readonly [string, Handler]> = [
  ["/v1/job/", jobSpecific],
  ["/v1/allocation/", allocationSpecific],
  ["/v1/deployment/", deploymentSpecific],
  ["/v1/namespace/", namespaceSpecific],
  ["/v1/service/", serviceSpecific],
  ["/v1/var/", variableSpecific],
  ["/v1/client/fs/", fsRequest],
  ["/v1/client/allocation/", clientAllocationRequest]
]

const route = (path: string): Handler | undefined =>
  exact[path] ?? prefixes.find(([prefix]) => path.startsWith(prefix))?.[1]

const notFound = (res: ServerResponse) => {
  res.writeHead(404)
  res.end()
}

const fail = (res: ServerResponse, cause: unknown) => {
  if (res.headersSent) {
    res.destroy()
    return
  }
  if (cause instanceof NotServed) return notFound(res)
  if (cause instanceof HttpError) return sendText(res, cause.status, cause.message)
  sendText(res, 500, cause instanceof Error ? cause.message : String(cause))
}

export const nomadHandler =
  (sim: Sim): SimHandler => (req: IncomingMessage, res: ServerResponse, logged: LoggedRequest) => {
    let path: string
    try {
      path = decodeURIComponent(logged.path)
    } catch {
      return sendText(res, 400, "400 Bad Request")
    }
    const handler = route(path)
    if (handler === undefined) {
      req.resume()
      return notFound(res)
    }
    const region = logged.query.get("region") ?? ""
    if (region !== "" && region !== "global" && region !== sim.agent.region) {
      // The agent would forward to a region it does not know.
      req.resume()
      return sendText(res, 500, "No path to region")
    }
    const controller = new AbortController()
    res.once("close", () => controller.abort())
    const ctx: RequestContext = {
      req,
      res,
      method: req.method ?? "GET",
      path,
      query: logged.query,
      signal: controller.signal
    }
    Promise.resolve()
      .then(() => handler(ctx, sim))
      .catch((cause: unknown) => fail(res, cause))
      .finally(() => {
        if (!req.complete) req.resume()
      })
  }
