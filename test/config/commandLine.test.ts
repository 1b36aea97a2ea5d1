import { describe, expect, it } from "@effect/vitest"
import { Duration, Redacted, Result } from "effect"
import { helpText, parseCommandLine } from "../../src/config/commandLine.ts"
import { settings as settingsTable } from "../../src/config/settings.ts"
import * as Value from "../../src/config/values.ts"

const run = (argv: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const parsed = parseCommandLine(argv, env)
  if (Result.isFailure(parsed)) throw new Error(parsed.failure)
  if (parsed.success._tag !== "Run") throw new Error(parsed.success._tag)
  return parsed.success
}

const failure = (argv: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const parsed = parseCommandLine(argv, env)
  return Result.isFailure(parsed) ? parsed.failure : "no failure"
}

describe("the command line", () => {
  it("has the documented defaults", () => {
    const { command, settings } = run(["dev"])
    expect(command).toBe("dev")
    expect(settings.port).toBe(8081)
    expect(settings.nomadAddr.href).toBe("http://127.0.0.1:4646/")
    expect(settings.consulHttpAddr.href).toBe("http://127.0.0.1:8500/")
    expect(settings.nomadNamespace).toBe("default")
    expect(settings.jobPrefix).toBe("OpenFaaS-")
    expect(settings.serviceDiscovery).toBe("consul")
    expect(settings.basicAuth).toBe(false)
    expect(settings.secretMountPath).toBe("/run/secrets/")
    expect(settings.statsdAddr).toBeUndefined()
    expect(settings.nomadToken).toBeUndefined()
  })

  it("reads the environment and lets a flag win over it", () => {
    const env = { NOMAD_ADDR: "https://nomad.example:4646", port: "9000", job_prefix: "fn-" }
    const { settings } = run(["start", "--port", "9100", "--job-prefix=faas-"], env)
    expect(settings.nomadAddr.href).toBe("https://nomad.example:4646/")
    expect(settings.port).toBe(9100)
    expect(settings.jobPrefix).toBe("faas-")
  })

  it("reads PORT, as platforms set it, when port is not set", () => {
    expect(run(["dev"], { PORT: "9200" }).settings.port).toBe(9200)
    expect(run(["dev"], { PORT: "9200", port: "9300" }).settings.port).toBe(9300)
    expect(run(["dev"], { PORT: "9200", port: "" }).settings.port).toBe(9200)
    expect(run(["dev", "--port", "9400"], { PORT: "9200" }).settings.port).toBe(9400)
    expect(failure(["dev"], { PORT: "http" })).toBe(`invalid PORT: expected a TCP port between 0 and 65535, got "http"`)
  })

  it("keeps tokens redacted", () => {
    const { settings } = run(["start"], { NOMAD_TOKEN: "s3cr3t", CONSUL_HTTP_TOKEN: "c0nsul" })
    expect(Redacted.isRedacted(settings.nomadToken)).toBe(true)
    expect(String(settings.nomadToken)).not.toContain("s3cr3t")
    expect(Redacted.value(settings.nomadToken!)).toBe("s3cr3t")
  })

  it("accepts Consul's address with or without a scheme", () => {
    expect(run(["dev"], { CONSUL_HTTP_ADDR: "consul.service:8500" }).settings.consulHttpAddr.href).toBe(
      "http://consul.service:8500/"
    )
    expect(run(["dev"], { CONSUL_HTTP_ADDR: "https://consul:8501" }).settings.consulHttpAddr.href).toBe(
      "https://consul:8501/"
    )
  })

  it("takes a bare boolean flag as true", () => {
    expect(run(["dev", "--basic-auth"]).settings.basicAuth).toBe(true)
    expect(run(["dev", "--basic-auth", "--port", "1"]).settings.basicAuth).toBe(true)
    expect(run(["dev", "--basic-auth=false"]).settings.basicAuth).toBe(false)
  })

  it("stops with one line naming the setting", () => {
    expect(failure(["dev", "--bogus"])).toBe("unknown flag --bogus (see --help for the settings)")
    expect(failure(["dev", "--port", "eighty"])).toBe(
      `invalid --port: expected a TCP port between 0 and 65535, got "eighty"`
    )
    expect(failure(["dev"], { read_timeout: "soon" })).toContain("invalid read_timeout:")
    expect(failure(["dev"], { service_discovery: "etcd" })).toBe(
      `invalid service_discovery: expected one of consul, nomad, got "etcd"`
    )
    expect(failure(["dev"], { basic_auth: "yes" })).toContain("invalid basic_auth")
    expect(failure(["dev", "--port"])).toBe("flag --port needs a value")
    expect(failure(["serve"])).toContain(`unknown command "serve"`)
    expect(failure([])).toContain("missing command")
    for (const line of [failure(["dev", "--bogus"]), failure(["dev"], { statsd_addr: "nope" })]) {
      expect(line).not.toContain("\n")
    }
  })

  it("reads the autoscaler's settings: on by default, every 5 s, scaling down after 1 min", () => {
    const { settings } = run(["dev"])
    expect(settings.autoscaler).toBe("on")
    expect(Duration.toMillis(settings.autoscalerInterval)).toBe(5000)
    expect(Duration.toMillis(settings.autoscalerScaleDownDelay)).toBe(60_000)
    expect(run(["start", "--autoscaler", "nomad"]).settings.autoscaler).toBe("nomad")
    expect(failure(["dev"], { autoscaler: "yes" })).toBe(
      `invalid autoscaler: expected one of on, off, nomad, got "yes"`
    )
    expect(failure(["dev"], { autoscaler_interval: "0s" })).toBe(
      `invalid autoscaler_interval: expected a duration above zero (e.g. 5s, 1m), got "0s"`
    )
  })

  it("answers --help and --version", () => {
    expect(Result.getOrThrow(parseCommandLine(["--help"], {}))._tag).toBe("Help")
    expect(Result.getOrThrow(parseCommandLine(["dev", "-h"], {}))._tag).toBe("Help")
    expect(Result.getOrThrow(parseCommandLine(["--version"], {}))._tag).toBe("Version")
    expect(Result.getOrThrow(parseCommandLine(["-v"], {}))._tag).toBe("Version")
    expect(Result.getOrThrow(parseCommandLine(["dev", "-v"], {}))._tag).toBe("Version")
  })

  it("aligns --help's columns however long a flag or variable name is", () => {
    const settingLines = helpText("1.0.0").split("\n").filter((line) => /^ {2}--/.test(line))
    expect(settingLines).toHaveLength(Object.keys(settingsTable).length)
    // Every description starts in the same column: the one after the widest flag and variable.
    const descriptionColumns = new Set(settingLines.map((line) => {
      const s = Object.values(settingsTable).find((setting) => line.startsWith(`  ${setting.flag} `))!
      return line.indexOf(s.description)
    }))
    expect(descriptionColumns.size).toBe(1)
    // Names are separated from the next column by two spaces at least, the longest included.
    expect(settingLines.find((line) => line.includes("--max-invoke-body-size"))).toMatch(
      /^ {2}--max-invoke-body-size {2,}max_invoke_body_size {2,}Largest/
    )
  })
})

describe("value syntaxes", () => {
  const millis = (raw: string) => Result.map(Value.duration(raw), Duration.toMillis)
  it("reads durations as faas-provider does: integers are seconds, else Go durations", () => {
    expect(millis("60")).toEqual(Result.succeed(60_000))
    expect(millis("30s")).toEqual(Result.succeed(30_000))
    expect(millis("1m30s")).toEqual(Result.succeed(90_000))
    expect(millis("1.5h")).toEqual(Result.succeed(5_400_000))
    expect(millis("250ms")).toEqual(Result.succeed(250))
    expect(Result.isFailure(Value.duration("5 minutes"))).toBe(true)
    expect(Result.isFailure(Value.duration(""))).toBe(true)
    expect(Result.isFailure(Value.duration("10x"))).toBe(true)
  })

  it("reads booleans as Go's ParseBool does", () => {
    for (const t of ["1", "t", "T", "true", "TRUE", "True"]) expect(Value.boolean(t)).toEqual(Result.succeed(true))
    for (const f of ["0", "f", "F", "false", "FALSE", "False"]) expect(Value.boolean(f)).toEqual(Result.succeed(false))
    expect(Result.isFailure(Value.boolean("yes"))).toBe(true)
  })

  it("reads sizes and host:port pairs", () => {
    expect(Value.byteSize("1Mi")).toEqual(Result.succeed(1_048_576))
    expect(Value.byteSize("512")).toEqual(Result.succeed(512))
    expect(Result.isFailure(Value.byteSize("1 lot"))).toBe(true)
    expect(Value.hostPort("127.0.0.1:8125")).toEqual(Result.succeed({ host: "127.0.0.1", port: 8125 }))
    expect(Value.hostPort("[::1]:8125")).toEqual(Result.succeed({ host: "::1", port: 8125 }))
    expect(Result.isFailure(Value.hostPort("statsd"))).toBe(true)
  })
})
