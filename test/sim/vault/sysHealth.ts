/**
 * `GET|HEAD /v1/sys/health` (`http/sys_health.go`): answered even when sealed, with the status code
 * chosen from the node's state and the `*code` / `*ok` query parameters.
 */
import { parseGoBool } from "../GoParsers.ts"
import type { SimClock } from "./SimClock.ts"
import { errorReply, plainJson, type VaultReply } from "./vaultReplies.ts"

/** An HA node's role, for the health status code. */
export type HaMode = "active" | "standby" | "perfstandby"

export interface HealthState {
  readonly sealed: boolean
  readonly haMode: HaMode
  readonly enterprise: boolean
  readonly clusterName: string
  readonly clusterId: string
}

export const sysHealth = (method: string, query: URLSearchParams, state: HealthState, clock: SimClock): VaultReply => {
  if (method !== "GET" && method !== "HEAD") return errorReply(405)
  const flag = (name: string): boolean | undefined => {
    const value = query.get(name)
    return value === null ? false : parseGoBool(value)
  }
  const code = (name: string, fallback: number): number | undefined => {
    const value = query.get(name)
    if (value === null) return fallback
    return /^[+-]?\d+$/.test(value) ? Number(value) : undefined
  }
  const standbyOk = flag("standbyok")
  const perfStandbyOk = flag("perfstandbyok")
  const codes = {
    uninit: code("uninitcode", 501),
    sealed: code("sealedcode", 503),
    standby: code("standbycode", 429),
    active: code("activecode", 200),
    drSecondary: code("drsecondarycode", 472),
    perfStandby: code("performancestandbycode", 473)
  }
  if (standbyOk === undefined || perfStandbyOk === undefined) {
    return errorReply(400, `bad value for ${standbyOk === undefined ? "standbyok" : "perfstandbyok"} parameter`)
  }
  if (Object.values(codes).some((c) => c === undefined)) return errorReply(400)
  const status = state.sealed
    ? codes.sealed!
    : state.haMode === "perfstandby"
    ? (perfStandbyOk ? codes.active! : codes.perfStandby!)
    : state.haMode === "standby"
    ? (standbyOk ? codes.active! : codes.standby!)
    : codes.active!
  const body = {
    initialized: true,
    sealed: state.sealed,
    standby: state.haMode !== "active",
    performance_standby: state.haMode === "perfstandby",
    replication_performance_mode: "disabled",
    replication_dr_mode: "disabled",
    server_time_utc: Math.floor(clock.now() / 1000),
    version: state.enterprise ? "1.21.0+ent" : "1.21.0",
    enterprise: state.enterprise,
    ...(state.sealed ? {} : { cluster_name: state.clusterName, cluster_id: state.clusterId }),
    echo_duration_ms: 0,
    clock_skew_ms: 0,
    replication_primary_canary_age_ms: 0
  }
  const reply = plainJson(status, body)
  return method === "HEAD" ? { ...reply, body: "" } : reply
}
