/**
 * `/v1/agent/self`, `/v1/agent/health`, `/v1/status/leader` and
 * `/v1/status/peers`: a dev-mode agent that is both server and client, in
 * the configured region and datacenter.
 */
import { HttpError, invalidMethod, sendJson } from "./http.ts"
import type { Handler, Sim } from "./sim.ts"

const leader = "127.0.0.1:4647"

const config = (sim: Sim) => {
  const { region, datacenter, version } = sim.agent
  return {
    Addresses: { HTTP: "127.0.0.1", RPC: "127.0.0.1", Serf: "127.0.0.1" },
    AdvertiseAddrs: { HTTP: "127.0.0.1:4646", RPC: leader, Serf: "127.0.0.1:4648" },
    BindAddr: "127.0.0.1",
    Client: {
      AllocDir: "",
      ChrootEnv: {},
      ClientMaxPort: 32000,
      ClientMinPort: 20000,
      DisableRemoteExec: false,
      Enabled: true,
      GCDiskUsageThreshold: 80,
      GCInodeUsageThreshold: 70,
      GCInterval: 60_000_000_000,
      MaxKillTimeout: "30s",
      Meta: {},
      NetworkInterface: "lo",
      NetworkSpeed: 0,
      NodeClass: "",
      NodePool: "default",
      Options: {},
      Reserved: { CPU: 0, DiskMB: 0, MemoryMB: 0, ParsedReservedPorts: null, ReservedPorts: "" },
      Servers: null,
      StateDir: ""
    },
    Consul: {
      Addr: "127.0.0.1:8500",
      Auth: "",
      AutoAdvertise: true,
      CAFile: "",
      CertFile: "",
      ChecksUseAdvertise: false,
      ClientAutoJoin: true,
      ClientServiceName: "nomad-client",
      EnableSSL: false,
      KeyFile: "",
      ServerAutoJoin: true,
      ServerServiceName: "nomad",
      Timeout: 5_000_000_000,
      Token: "",
      VerifySSL: true
    },
    DataDir: "",
    Datacenter: datacenter,
    DevMode: true,
    DisableAnonymousSignature: true,
    DisableUpdateCheck: true,
    EnableDebug: false,
    EnableSyslog: false,
    Files: null,
    HTTPAPIResponseHeaders: {},
    LeaveOnInt: false,
    LeaveOnTerm: false,
    LogLevel: "INFO",
    NodeName: "nomad-sim",
    Ports: { HTTP: 4646, RPC: 4647, Serf: 4648 },
    Region: region,
    Revision: "",
    Server: {
      BootstrapExpect: 1,
      DataDir: "",
      Enabled: true,
      EnabledSchedulers: null,
      HeartbeatGrace: 0,
      NodeGCThreshold: "",
      NumSchedulers: 1,
      ProtocolVersion: 0,
      RejoinAfterLeave: false,
      RetryInterval: 30_000_000_000,
      RetryJoin: [],
      RetryMaxAttempts: 0,
      StartJoin: []
    },
    SyslogFacility: "LOCAL0",
    TLSConfig: {
      CAFile: "",
      CertFile: "",
      EnableHTTP: false,
      EnableRPC: false,
      KeyFile: "",
      VerifyServerHostname: false
    },
    Telemetry: {
      CirconusAPIApp: "",
      CirconusAPIToken: "",
      CirconusAPIURL: "",
      CirconusBrokerID: "",
      CirconusBrokerSelectTag: "",
      CirconusCheckDisplayName: "",
      CirconusCheckForceMetricActivation: "",
      CirconusCheckID: "",
      CirconusCheckInstanceID: "",
      CirconusCheckSearchTag: "",
      CirconusCheckSubmissionURL: "",
      CirconusCheckTags: "",
      CirconusSubmissionInterval: "",
      CollectionInterval: "1s",
      DataDogAddr: "",
      DataDogTags: null,
      DisableHostname: false,
      PublishAllocationMetrics: false,
      PublishNodeMetrics: false,
      StatsdAddr: "",
      StatsiteAddr: "",
      UseNodeName: false
    },
    Vault: {
      Addr: "https://vault.service.consul:8200",
      AllowUnauthenticated: true,
      ConnectionRetryIntv: 30_000_000_000,
      Enabled: null,
      Role: "",
      TaskTokenTTL: "",
      TLSCaFile: "",
      TLSCaPath: "",
      TLSCertFile: "",
      TLSKeyFile: "",
      TLSServerName: "",
      TLSSkipVerify: null,
      Token: ""
    },
    ACL: { Enabled: sim.acl !== undefined },
    Version: { Revision: "", Version: version, VersionMetadata: "", VersionPrerelease: "" },
    VersionPrerelease: ""
  }
}

const member = (sim: Sim) => ({
  Addr: "127.0.0.1",
  DelegateCur: 4,
  DelegateMax: 5,
  DelegateMin: 2,
  Name: `nomad-sim.${sim.agent.region}`,
  Port: 4648,
  ProtocolCur: 2,
  ProtocolMax: 5,
  ProtocolMin: 1,
  Status: "alive",
  Tags: {
    role: "nomad",
    region: sim.agent.region,
    dc: sim.agent.datacenter,
    vsn: "1",
    mvn: "1",
    build: sim.agent.version,
    port: "4647",
    bootstrap: "1"
  }
})

/** Needs `agent:read`; the simulator lets any token with some namespace read it, and not the anonymous one. */
export const agentSelf: Handler = (ctx, sim) => {
  if (ctx.method !== "GET") throw invalidMethod()
  const principal = sim.principal(ctx)
  if (!principal.management && principal.namespaces !== "*" && principal.namespaces.length === 0) {
    throw new HttpError(403, "Permission denied")
  }
  sendJson(ctx, 200, {
    config: config(sim),
    member: member(sim),
    stats: {
      nomad: { server: "true", leader: "true", leader_addr: leader, bootstrap: "true", known_regions: "1" },
      client: { node_id: sim.placement.nodeId, known_servers: leader, num_allocations: String(sim.store.allocs.size) },
      runtime: {
        arch: process.arch,
        "kernel.name": process.platform,
        cpu_count: "1",
        goroutines: "1",
        max_procs: "1",
        version: "go1.24"
      }
    }
  })
}

export const agentHealth: Handler = (ctx) => {
  if (ctx.method !== "GET") throw invalidMethod()
  sendJson(ctx, 200, { client: { ok: true, message: "ok" }, server: { ok: true, message: "ok" } })
}

export const statusLeader: Handler = (ctx) => {
  if (ctx.method !== "GET") throw invalidMethod()
  sendJson(ctx, 200, leader)
}

export const statusPeers: Handler = (ctx) => {
  if (ctx.method !== "GET") throw invalidMethod()
  sendJson(ctx, 200, [leader])
}
