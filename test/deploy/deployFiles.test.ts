/**
 * The files in deploy/, read with HashiCorp's own HCL parser (hashicorp/hcl, compiled to WebAssembly): no Nomad
 * binary is needed to find a syntax error, a variable the job uses and never declares, a provider setting that
 * does not exist or does not parse, or an ACL policy that forgets a path the provider writes.
 */
import { parse } from "@cdktf/hcl2json"
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { settingsFromEnv } from "../../src/config/commandLine.ts"
import { settings } from "../../src/config/settings.ts"
import { leaderPath } from "../../src/layers/nomad/LeadershipNomad.ts"
import { loadPrefix } from "../../src/layers/nomad/LoadExchangeNomad.ts"

const deployDir = fileURLToPath(new URL("../../deploy/", import.meta.url))
const read = (file: string) => parse(file, readFileSync(`${deployDir}${file}`, "utf8"))

// hcl2json gives every block as an array of bodies, keyed by its labels.
type Body = Record<string, any>
const only = (blocks: unknown): Body => {
  expect(blocks).toHaveLength(1)
  return (blocks as Array<Body>)[0]!
}

/** Every `var.<name>` an expression of `value` refers to. */
const variablesUsed = (value: unknown, found = new Set<string>()): Set<string> => {
  if (typeof value === "string") { for (const m of value.matchAll(/\bvar\.(\w+)/g)) found.add(m[1]!) }
  else if (Array.isArray(value)) value.forEach((v) => variablesUsed(v, found))
  else if (typeof value === "object" && value !== null) Object.values(value).forEach((v) => variablesUsed(v, found))
  return found
}

/** What an env value is once Nomad has interpolated it: variables at their defaults, a node's address for attrs. */
const interpolate = (value: string, variables: Body): string =>
  value
    .replace(/^\$\{var\.(\w+)\}$/, (_, name: string) => String(only(variables[name]).default))
    .replaceAll("${attr.unique.network.ip-address}", "10.0.0.7")

describe("deploy/", () => {
  it("every HCL file parses with HashiCorp's HCL parser, which refuses a broken one", async () => {
    const files = readdirSync(deployDir).filter((f) => f.endsWith(".hcl"))
    expect(files).toContain("openfaas.nomad.hcl")
    for (const file of files) await expect(read(file), file).resolves.toBeTypeOf("object")
    await expect(parse("broken.hcl", "job \"x\" {\n  count = \n}\n")).rejects.toThrow(/broken\.hcl:2/)
  })

  it("the job declares every variable it uses, and runs var.replicas gateway and provider pairs", async () => {
    const hcl = await read("openfaas.nomad.hcl")
    const declared = new Set(Object.keys(hcl.variable))
    const job = only(hcl.job.openfaas)
    expect([...variablesUsed(job)].filter((name) => !declared.has(name))).toEqual([])
    const group = only(job.group.openfaas)
    expect(group.count).toBe("${var.replicas}")
    expect(only(hcl.variable.replicas).default).toBeGreaterThanOrEqual(1)
    expect(Object.keys(group.task).sort()).toEqual(["faas-nomad", "gateway"])
  })

  it("the provider's env names only real settings, and with the variables' defaults they all parse", async () => {
    const hcl = await read("openfaas.nomad.hcl")
    const task = only(only(only(hcl.job.openfaas).group.openfaas).task["faas-nomad"])
    const env = only(task.env) as Record<string, string>
    const known = new Set(Object.values(settings).flatMap((s) => [s.env, s.fallbackEnv ?? []].flat()))
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([])
    const resolved = settingsFromEnv(
      Object.fromEntries(Object.entries(env).map(([name, value]) => [name, interpolate(String(value), hcl.variable)]))
    )
    if (Result.isFailure(resolved)) expect.fail(resolved.failure)
    expect(resolved.success.port).toBe(8081)
    expect(resolved.success.nomadAddr.href).toBe("http://10.0.0.7:4646/")
    expect(resolved.success.basicAuth).toBe(true)
  })

  it("the gateway calls the provider on the port it listens on and waits longer than the provider answers", async () => {
    const hcl = await read("openfaas.nomad.hcl")
    const tasks = only(only(hcl.job.openfaas).group.openfaas).task
    const gateway = only(only(tasks.gateway).env) as Record<string, string>
    const provider = only(only(tasks["faas-nomad"]).env) as Record<string, string>
    expect(gateway.functions_provider_url).toBe(`http://127.0.0.1:${provider.port}/`)
    const seconds = (value: string) => Number(/^(\d+)s$/.exec(value)?.[1])
    expect(seconds(gateway.upstream_timeout!)).toBeGreaterThan(seconds(provider.write_timeout!))
    expect(seconds(gateway.read_timeout!)).toBeGreaterThan(seconds(gateway.upstream_timeout!))
  })

  it("the provider's ACL policy grants every capability and Variables path the provider uses", async () => {
    const policy = only((await read("faas-nomad-acl.policy.hcl")).namespace["*"])
    expect(policy.capabilities).toEqual(
      expect.arrayContaining(["list-jobs", "read-job", "submit-job", "scale-job", "read-logs"])
    )
    const paths = only(policy.variables).path as Record<string, Array<Body>>
    const capabilitiesOf = (variable: string) =>
      Object.entries(paths)
        .filter(([pattern]) => pattern.endsWith("*") ? variable.startsWith(pattern.slice(0, -1)) : variable === pattern)
        .flatMap(([, rules]) => only(rules).capabilities as Array<string>)
    const secretsPrefix = settings.nomadSecretPrefix.default
    // Locks (acquire, renew, release) need write; load snapshots are listed, read and, once stale, destroyed.
    for (const variable of [leaderPath, `${loadPrefix}replica-1`, `${secretsPrefix}/a-secret`]) {
      expect(capabilitiesOf(variable), variable).toEqual(
        expect.arrayContaining(["write", "read", "list", "destroy"])
      )
    }
  })
})
