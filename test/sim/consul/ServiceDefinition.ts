/**
 * What the agent makes of a service registration: the body of
 * `PUT /v1/agent/service/register` decoded as Go would (field names match
 * case-insensitively, snake_case too), and the defaults the agent fills in
 * (ID from Name, weights 1/1, `lan_ipv4`/`wan_ipv4` tagged addresses for an IP,
 * checks named `service:<id>` that start critical).
 */
import { isIPv4, isIPv6 } from "node:net"
import type { CheckInput, CheckStatus, ServiceAddress, ServiceInput } from "./ConsulCatalog.ts"
import { HttpError } from "./ConsulHttp.ts"

export interface Registration {
  readonly service: ServiceInput
  readonly checks: ReadonlyArray<CheckInput>
}

/** The agent adds these for a service with an IP address and none of its own. */
export const agentTaggedAddresses = (address: string, port: number): Record<string, ServiceAddress> =>
  isIPv4(address)
    ? { lan_ipv4: { Address: address, Port: port }, wan_ipv4: { Address: address, Port: port } }
    : isIPv6(address)
    ? { lan_ipv6: { Address: address, Port: port }, wan_ipv6: { Address: address, Port: port } }
    : {}

type Json = Readonly<Record<string, unknown>>

const goType = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "array" : typeof value === "object" ? "object" : typeof value

const decodeError = (field: string, value: unknown, type: string) =>
  new HttpError(
    400,
    `Request decode failed: json: cannot unmarshal ${
      goType(value)
    } into Go struct field ServiceDefinition.${field} of type ${type}`
  )

/** Go's `encoding/json` matches field names case-insensitively; Consul also accepts snake_case. */
const field = (object: Json, name: string): unknown => {
  const wanted = name.toLowerCase()
  const key = Object.keys(object).find((k) => k.replaceAll("_", "").toLowerCase() === wanted)
  return key === undefined ? undefined : object[key]
}

const stringField = (object: Json, name: string, fallback = ""): string => {
  const value = field(object, name)
  if (value === undefined || value === null) return fallback
  if (typeof value !== "string") throw decodeError(name, value, "string")
  return value
}

const intField = (object: Json, name: string, fallback: number): number => {
  const value = field(object, name)
  if (value === undefined || value === null) return fallback
  if (typeof value !== "number" || !Number.isInteger(value)) throw decodeError(name, value, "int")
  return value
}

const objectField = (object: Json, name: string): Json | undefined => {
  const value = field(object, name)
  if (value === undefined || value === null) return undefined
  if (typeof value !== "object" || Array.isArray(value)) throw decodeError(name, value, "map")
  return value as Json
}

const stringMap = (object: Json, name: string): Record<string, string> | null => {
  const value = objectField(object, name)
  if (value === undefined) return null
  for (const v of Object.values(value)) if (typeof v !== "string") throw decodeError(name, v, "string")
  return { ...value } as Record<string, string>
}

const metaKey = /^[a-zA-Z0-9_-]+$/

const checkStatuses: ReadonlyArray<string> = ["passing", "warning", "critical"]

const decodeCheck = (raw: unknown, serviceName: string, checkId: string): CheckInput => {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw decodeError("Checks", raw, "CheckType")
  const check = raw as Json
  const http = stringField(check, "HTTP")
  const tcp = stringField(check, "TCP")
  const ttl = stringField(check, "TTL")
  const status = stringField(check, "Status", "critical")
  if (!checkStatuses.includes(status)) throw new HttpError(400, `Invalid check status: ${JSON.stringify(status)}`)
  return {
    checkId: stringField(check, "CheckID", stringField(check, "ID", checkId)),
    name: stringField(check, "Name", `Service '${serviceName}' check`),
    status: status as CheckStatus,
    notes: stringField(check, "Notes"),
    output: "",
    type: http !== "" ? "http" : tcp !== "" ? "tcp" : ttl !== "" ? "ttl" : "",
    interval: stringField(check, "Interval"),
    timeout: stringField(check, "Timeout")
  }
}

/** Decodes a registration body; throws `HttpError` 400 with the agent's wording. */
export const decodeRegistration = (text: string): Registration => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new HttpError(400, `Request decode failed: ${(error as Error).message}`)
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new HttpError(
      400,
      `Request decode failed: json: cannot unmarshal ${goType(parsed)} into Go value of type structs.ServiceDefinition`
    )
  }
  const body = parsed as Json
  const name = stringField(body, "Name")
  if (name === "") throw new HttpError(400, "Missing service name")
  const id = stringField(body, "ID", name)
  const address = stringField(body, "Address")
  const port = intField(body, "Port", 0)
  const meta = stringMap(body, "Meta")
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (!metaKey.test(key)) {
      throw new HttpError(
        400,
        `Invalid Service Meta: Couldn't load metadata pair ('${key}', '${value}'): Key contains invalid characters`
      )
    }
    if (key.startsWith("consul-")) {
      throw new HttpError(
        400,
        `Invalid Service Meta: Couldn't load metadata pair ('${key}', '${value}'): Key prefix 'consul-' is reserved for internal use`
      )
    }
  }
  const tags = field(body, "Tags") ?? []
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string")) throw decodeError("Tags", tags, "[]string")
  const weights = objectField(body, "Weights")
  const ownTagged = objectField(body, "TaggedAddresses") ?? {}
  const taggedAddresses: Record<string, ServiceAddress> = { ...agentTaggedAddresses(address, port) }
  for (const [key, value] of Object.entries(ownTagged)) {
    const entry = (value ?? {}) as Json
    taggedAddresses[key] = { Address: stringField(entry, "Address"), Port: intField(entry, "Port", 0) }
  }
  const single = field(body, "Check")
  const many = field(body, "Checks") ?? []
  if (!Array.isArray(many)) throw decodeError("Checks", many, "CheckTypes")
  const rawChecks = [...(single === undefined || single === null ? [] : [single]), ...many]
  return {
    service: {
      id,
      name,
      tags: tags as ReadonlyArray<string>,
      address,
      port,
      meta,
      taggedAddresses,
      weights: {
        Passing: weights === undefined ? 1 : intField(weights, "Passing", 1),
        Warning: weights === undefined ? 1 : intField(weights, "Warning", 1)
      },
      enableTagOverride: field(body, "EnableTagOverride") === true
    },
    checks: rawChecks.map((raw, i) =>
      decodeCheck(raw, name, rawChecks.length === 1 ? `service:${id}` : `service:${id}:${i + 1}`)
    )
  }
}
