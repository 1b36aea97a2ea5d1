import { describe, expect, it } from "@effect/vitest"
import { Redacted, Result, Schema } from "effect"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import { deploymentFromMeta, metaKeys } from "../../src/jobs/jobMeta.ts"
import {
  chooseRegistryAuth,
  decodeUserPassword,
  keptRegistryAuth,
  type RegistryAuth,
  registryHost
} from "../../src/jobs/registryAuth.ts"
import { parseDockerConfig } from "../../src/jobs/registryCredentials.ts"
import { toFunctionStatus } from "../../src/jobs/toFunctionStatus.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { Job } from "../../src/nomad/Job.ts"
import { revealRedacted } from "../../src/nomad/redactedConfig.ts"
import { defaultJobSettings } from "../support/jobSettings.ts"

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64")
const password = "pa:ss:w0rd-7f3e"
const auth = b64(`robot:${password}`)
const plain = (a: RegistryAuth | undefined) =>
  a === undefined ? undefined : { username: a.username, password: Redacted.value(a.password) }

const decode = Schema.decodeUnknownSync(FunctionDeployment)
const placement = { namespace: "default", count: 1, createdAt: "2026-11-29T10:00:00.000Z" }
const build = (
  input: Record<string, unknown>,
  extra: Partial<typeof placement & { registryAuth: RegistryAuth }> = {}
) =>
  toNomadJob(decode({ service: "figlet", image: "registry.example.com/team/figlet:1", ...input }), {
    ...placement,
    ...extra
  }, defaultJobSettings)

describe("registryAuth", () => {
  it("is base64 of user:password; the password is everything after the first colon", () => {
    expect(plain(Result.getOrThrow(decodeUserPassword(auth)))).toEqual({ username: "robot", password })
    expect(plain(Result.getOrThrow(decodeUserPassword(b64("u:"))))).toEqual({ username: "u", password: "" })
    expect(plain(Result.getOrThrow(decodeUserPassword(b64("ü:p").replace(/=+$/, ""))))).toEqual({
      username: "ü",
      password: "p"
    })
  })

  it("refuses a value that is not base64, has no colon or an empty user, without quoting it", () => {
    const bad = [`${password}!`, b64("no-colon-here-x"), b64(":only-a-password"), "A", b64("x") + "=="]
    for (const value of bad) {
      const result = decodeUserPassword(value)
      expect(Result.isFailure(result)).toBe(true)
      const problem = Result.isFailure(result) ? result.failure : ""
      expect(problem).not.toContain(value)
      expect(problem).not.toContain("only-a-password")
      expect(problem).not.toContain("no-colon")
    }
    expect(Result.isFailure(decodeUserPassword(Buffer.from([0xff, 0x3a, 0x61]).toString("base64")))).toBe(true)
  })

  it("goes to the docker driver's auth block, with the password Redacted until the job is sent", () => {
    const job = Result.getOrThrow(build({ registryAuth: auth }))
    const config = job.TaskGroups![0]!.Tasks[0]!.Config!
    const block = (config["auth"] as Array<{ username: string; password: unknown }>)[0]!
    expect(block.username).toBe("robot")
    expect(Redacted.isRedacted(block.password)).toBe(true)
    expect(JSON.stringify(job)).not.toContain(password)
    const sent = revealRedacted(job) as Job
    expect(sent.TaskGroups![0]!.Tasks[0]!.Config!["auth"]).toEqual([{ username: "robot", password }])
    expect(job.Meta?.[metaKeys.registryAuth]).toBe("function")
  })

  it("never reaches the deployment kept in Meta, so the status never shows it", () => {
    const job = Result.getOrThrow(build({ registryAuth: auth, labels: { a: "1" } }))
    const meta = JSON.stringify(job.Meta)
    expect(meta).not.toContain(auth)
    expect(meta).not.toContain("registryAuth")
    expect(deploymentFromMeta(job.Meta)).toEqual({
      service: "figlet",
      image: "registry.example.com/team/figlet:1",
      labels: { a: "1" }
    })
    expect(JSON.stringify(toFunctionStatus(job, "figlet", { availableReplicas: 0, invocationCount: 0 }))).not
      .toContain("registryAuth")
  })

  it("is a 400 problem naming the field when malformed", () => {
    const result = build({ registryAuth: b64("nocolon") })
    expect(Result.isFailure(result) && result.failure).toEqual([
      `registryAuth: decodes to a value without ":"; expected the base64 of user:password`
    ])
  })

  it("a job read back from Nomad carries the password Redacted", () => {
    const job = Schema.decodeUnknownSync(Job)({
      ID: "OpenFaaS-x",
      TaskGroups: [{
        Name: "x",
        Tasks: [{ Name: "x", Driver: "docker", Config: { image: "i", auth: [{ username: "u", password }] } }]
      }]
    })
    expect(JSON.stringify(job)).not.toContain(password)
    expect(plain(keptRegistryAuth(job))).toEqual({ username: "u", password })
  })

  it("an update keeps the function's credentials unless it gives new ones or \"\"", () => {
    const kept = { username: "old", password: Redacted.make("old-pw") }
    const defaults = new Map([["registry.example.com", { username: "bot", password: Redacted.make("bot-pw") }]])
    const image = "registry.example.com/x:1"
    const choose = (given: string | undefined, k: RegistryAuth | undefined, d = defaults) => {
      const chosen = Result.getOrThrow(
        chooseRegistryAuth(given === undefined ? undefined : Redacted.make(given), k, d, image)
      )
      return chosen === undefined ? undefined : { ...plain(chosen.auth), source: chosen.source }
    }
    expect(choose(undefined, kept)).toEqual({ username: "old", password: "old-pw", source: "function" })
    expect(choose(auth, kept)).toEqual({ username: "robot", password, source: "function" })
    expect(choose("", kept)).toEqual({ username: "bot", password: "bot-pw", source: "default" })
    expect(choose("", kept, new Map())).toBeUndefined()
    expect(choose(undefined, undefined)).toEqual({ username: "bot", password: "bot-pw", source: "default" })
  })

  it("keeps a job's own or legacy credentials, not the provider's defaults", () => {
    const withAuth = (meta: Record<string, string>): Job => ({
      ID: "OpenFaaS-x",
      Meta: meta,
      TaskGroups: [{
        Name: "x",
        Tasks: [{ Name: "x", Driver: "docker", Config: { auth: { username: "u", password: "p" } } }]
      }]
    })
    expect(plain(keptRegistryAuth(withAuth({ [metaKeys.registryAuth]: "function" })))?.username).toBe("u")
    expect(plain(keptRegistryAuth(withAuth({})))?.username).toBe("u")
    expect(keptRegistryAuth(withAuth({ [metaKeys.registryAuth]: "default" }))).toBeUndefined()
  })
})

describe("registry hosts and default credentials", () => {
  it("finds the registry of an image as Docker does", () => {
    expect(registryHost("figlet")).toBe("docker.io")
    expect(registryHost("functions/alpine:latest")).toBe("docker.io")
    expect(registryHost("ghcr.io/openfaas/figlet:latest")).toBe("ghcr.io")
    expect(registryHost("localhost/x")).toBe("localhost")
    expect(registryHost("Registry.Example.com:5000/x/y@sha256:ab")).toBe("registry.example.com:5000")
    expect(registryHost("index.docker.io/library/alpine")).toBe("docker.io")
  })

  it("reads the auths of a Docker config.json, by registry", () => {
    const credentials = Result.getOrThrow(parseDockerConfig(JSON.stringify({
      auths: {
        "https://index.docker.io/v1/": { auth: b64("hub:hub-pw") },
        "registry.example.com:5000": { username: "u", password: "p" }
      },
      credsStore: "desktop"
    })))
    expect([...credentials.keys()]).toEqual(["docker.io", "registry.example.com:5000"])
    expect(plain(credentials.get("docker.io"))).toEqual({ username: "hub", password: "hub-pw" })
  })

  it("reports what is wrong with the file, naming registries and never a credential", () => {
    const failure = (text: string) => {
      const result = parseDockerConfig(text)
      return Result.isFailure(result) ? result.failure : ""
    }
    expect(failure(`{"auths": {"r.io": {"auth": "${b64("secret-no-colon")}"}}, "x": ${password}`)).toContain(
      "not valid JSON"
    )
    expect(failure(`{"credsStore": "desktop"}`)).toContain(`no "auths"`)
    const problem = failure(JSON.stringify({ auths: { "r.io": { auth: b64("secret-no-colon") }, "q.io": {} } }))
    expect(problem).toContain(`auths."r.io" "auth" decodes to a value without ":"`)
    expect(problem).toContain(`auths."q.io" has neither`)
    expect(problem).not.toContain("secret-no-colon")
    expect(problem).not.toContain(b64("secret-no-colon"))
  })

  it("a function without registryAuth gets the defaults of its image's registry only", () => {
    const settings = {
      ...defaultJobSettings,
      registryCredentials: new Map([["registry.example.com", { username: "bot", password: Redacted.make("pw") }]])
    }
    const jobFor = (image: string) =>
      Result.getOrThrow(toNomadJob(decode({ service: "f", image }), placement, settings))
    const own = jobFor("registry.example.com/team/f:1")
    expect(revealRedacted(own.TaskGroups![0]!.Tasks[0]!.Config!["auth"])).toEqual([{ username: "bot", password: "pw" }])
    expect(own.Meta?.[metaKeys.registryAuth]).toBe("default")
    const other = jobFor("ghcr.io/openfaas/figlet:latest")
    expect(other.TaskGroups![0]!.Tasks[0]!.Config!["auth"]).toBeUndefined()
    expect(other.Meta?.[metaKeys.registryAuth]).toBeUndefined()
  })
})
