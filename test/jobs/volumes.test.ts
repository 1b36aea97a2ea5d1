import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import { toFunctionStatus } from "../../src/jobs/toFunctionStatus.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { volumeScaleProblems } from "../../src/jobs/volumes.ts"
import { defaultJobSettings } from "../support/jobSettings.ts"

const v = (name: string) => `com.openfaas.nomad.volume.${name}`
const decode = Schema.decodeUnknownSync(FunctionDeployment)

const translate = (annotations: Record<string, string>, extra: Record<string, unknown> = {}, count = 1) =>
  toNomadJob(
    decode({ service: "fn", image: "x", annotations, ...extra }),
    { namespace: "default", count, createdAt: "t" },
    defaultJobSettings
  )
const job = (annotations: Record<string, string>, extra: Record<string, unknown> = {}, count = 1) =>
  Result.getOrThrow(translate(annotations, extra, count))
const problems = (annotations: Record<string, string>, extra: Record<string, unknown> = {}, count = 1) => {
  const result = translate(annotations, extra, count)
  return Result.isFailure(result) ? result.failure : []
}

describe("volume annotations", () => {
  it("become a group volume and a task volume_mount each, read-only unless :rw", () => {
    const built = job({
      [v("certs")]: "host:certs:/etc/certs",
      [v("data")]: "csi:pg-data:/var/lib/data:rw",
      [v("shared")]: "csi:docs:/srv/docs/:ro",
      [v("shared.per-alloc")]: "true"
    })
    const group = built.TaskGroups![0]!
    expect(group.Volumes).toEqual({
      certs: { Name: "certs", Type: "host", Source: "certs", ReadOnly: true },
      data: {
        Name: "data",
        Type: "csi",
        Source: "pg-data",
        ReadOnly: false,
        AccessMode: "multi-node-multi-writer",
        AttachmentMode: "file-system"
      },
      shared: {
        Name: "shared",
        Type: "csi",
        Source: "docs",
        ReadOnly: true,
        AccessMode: "multi-node-reader-only",
        AttachmentMode: "file-system",
        PerAlloc: true
      }
    })
    expect(group.Tasks[0]!.VolumeMounts).toEqual([
      { Volume: "certs", Destination: "/etc/certs", ReadOnly: true },
      { Volume: "data", Destination: "/var/lib/data", ReadOnly: false },
      { Volume: "shared", Destination: "/srv/docs", ReadOnly: true }
    ])
  })

  it("take a CSI access and attachment mode from their own annotations", () => {
    const volume = job({
      [v("data")]: "csi:pg-data:/data:rw",
      [v("data.access-mode")]: "single-node-writer",
      [v("data.attachment-mode")]: "block-device"
    }).TaskGroups![0]!.Volumes!["data"]
    expect(volume).toMatchObject({ AccessMode: "single-node-writer", AttachmentMode: "block-device" })
  })

  it("round-trip in the status exactly as sent, and a function without them has no volume stanzas", () => {
    const annotations = { [v("certs")]: " host:certs:/etc/certs:ro ", [v("certs.per-alloc")]: "False", note: "x" }
    const status = toFunctionStatus(job(annotations), "fn", { availableReplicas: 0, invocationCount: 0 })!
    expect(status.annotations).toEqual(annotations)
    const plain = job({}).TaskGroups![0]!
    expect(plain.Volumes).toBeUndefined()
    expect(plain.Tasks[0]!.VolumeMounts).toBeUndefined()
  })

  it("a bad value is a problem naming the annotation", () => {
    expect(problems({
      [v("a")]: "nfs:x:/a",
      [v("b")]: "host::/b",
      [v("c")]: "host:c:relative/path",
      [v("d")]: "host:d:/d:rx",
      [v("e")]: "host:e",
      [v("f")]: "host:f:/",
      [v("g")]: "host:g:/g:ro:extra"
    })).toEqual([
      `annotations: ${v("a")} must be <host|csi>:<source>:<destination>[:ro|:rw], got "nfs:x:/a"`,
      `annotations: ${v("b")} must be <host|csi>:<source>:<destination>[:ro|:rw], got "host::/b"`,
      `annotations: ${v("c")} needs an absolute destination, got "relative/path"`,
      `annotations: ${v("d")} must end in :ro or :rw (read-only when left out), got ":rx"`,
      `annotations: ${v("e")} must be <host|csi>:<source>:<destination>[:ro|:rw], got "host:e"`,
      `annotations: ${v("f")} cannot be mounted on /`,
      `annotations: ${v("g")} must be <host|csi>:<source>:<destination>[:ro|:rw], got "host:g:/g:ro:extra"`
    ])
  })

  it("refuses a destination inside /var/openfaas/secrets however it is written", () => {
    for (const destination of ["/var/openfaas/secrets", "/var/openfaas/secrets/x", "/var//openfaas/./x/../secrets/"]) {
      expect(problems({ [v("s")]: `host:s:${destination}` })).toEqual([
        `annotations: ${v("s")} cannot be mounted in /var/openfaas/secrets, where the function's secrets are`
      ])
    }
    expect(problems({ [v("s")]: "host:s:/var/openfaas" })).toEqual([])
  })

  it("refuses two volumes on one destination, naming both", () => {
    expect(problems({ [v("one")]: "host:a:/data", [v("two")]: "csi:b:/data/:rw" })).toEqual([
      `annotations: ${v("two")} mounts on /data, as ${v("one")} does`
    ])
  })

  it("refuses options that do not fit the volume, and options without one", () => {
    expect(problems({
      [v("h")]: "host:h:/h",
      [v("h.access-mode")]: "single-node-writer",
      [v("h.attachment-mode")]: "file-system",
      [v("c")]: "csi:c:/c:rw",
      [v("c.access-mode")]: "multi-node-reader-only",
      [v("c.per-alloc")]: "maybe",
      [v("d")]: "csi:d:/d",
      [v("d.access-mode")]: "everyone",
      [v("d.attachment-mode")]: "nfs",
      [v("ghost.per-alloc")]: "true",
      [v("bad.name")]: "host:x:/x",
      [v("Not valid!")]: "host:x:/y"
    })).toEqual([
      `annotations: ${v("bad.name")} is not a volume annotation: expected ${v("<name>")}` +
      `[.access-mode|.attachment-mode|.per-alloc], with a name of letters, digits, - and _`,
      `annotations: ${v("Not valid!")} is not a volume annotation: expected ${v("<name>")}` +
      `[.access-mode|.attachment-mode|.per-alloc], with a name of letters, digits, - and _`,
      `annotations: ${v("c.access-mode")} multi-node-reader-only needs a read-only (:ro) volume`,
      `annotations: ${v("c.per-alloc")} must be true or false, got "maybe"`,
      `annotations: ${v("d.access-mode")} must be one of single-node-reader-only, single-node-writer, ` +
      `multi-node-reader-only, multi-node-single-writer, multi-node-multi-writer, got "everyone"`,
      `annotations: ${v("d.attachment-mode")} must be one of file-system, block-device, got "nfs"`,
      `annotations: ${v("ghost.per-alloc")} has no volume: set ${v("ghost")} too`,
      `annotations: ${v("h.access-mode")} applies to csi volumes only`,
      `annotations: ${v("h.attachment-mode")} applies to csi volumes only`
    ])
  })

  it("refuses what Nomad refuses for the function's count and canaries", () => {
    const single = { [v("data")]: "csi:pg:/data:rw", [v("data.access-mode")]: "single-node-writer" }
    expect(problems(single, {}, 1)).toEqual([])
    expect(problems(single, {}, 3)).toEqual([
      `annotations: ${v("data")} is a csi volume with access mode single-node-writer, which serves one instance, ` +
      `and the function would have 3 replicas: set ${v("data.per-alloc")}=true (a volume per instance) ` +
      `or a multi-node access mode`
    ])
    expect(problems({ ...single, [v("data.per-alloc")]: "true" }, {}, 3)).toEqual([])
    expect(volumeScaleProblems(single, 2)).toHaveLength(1)
    expect(volumeScaleProblems({ ...single, [v("data.per-alloc")]: "1" }, 2)).toEqual([])
    expect(
      problems(
        { [v("data")]: "csi:pg:/data:rw", [v("data.per-alloc")]: "true" },
        { labels: { "com.openfaas.nomad.update.canary": "1" } }
      )
    ).toEqual([
      `annotations: ${v("data.per-alloc")} cannot be used with canaries (com.openfaas.nomad.update.canary), ` +
      `as Nomad requires`
    ])
    expect(problems({ [v("tmp")]: "host:t:/tmp:rw" }, { readOnlyRootFilesystem: true })).toEqual([
      `annotations: ${v("tmp")} mounts on /tmp, where readOnlyRootFilesystem puts a writable tmpfs`
    ])
  })
})
