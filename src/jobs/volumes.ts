/**
 * Host and CSI volumes mounted into a function, one annotation per volume:
 * `com.openfaas.nomad.volume.<name>` = `<host|csi>:<source>:<destination>[:ro|:rw]`,
 * read-only unless `:rw`. CSI volumes take `access_mode` and `attachment_mode`
 * from `<name>.access-mode` and `<name>.attachment-mode` (defaults: a
 * multi-node mode, since a function's instances may land on any node, and
 * `file-system`); `<name>.per-alloc=true` gives each instance its own volume.
 * Each becomes a group `volume` and a task `volume_mount`. What Nomad would
 * refuse for the function's count and canaries is refused here first, naming
 * the annotation.
 */
import { Result } from "effect"
import { posix } from "node:path"
import * as Value from "../config/values.ts"
import type { VolumeMount, VolumeRequest } from "../nomad/Job.ts"
import { quoted } from "../schema/problemText.ts"
import { secretsMountPath } from "./secretTemplates.ts"

export const volumeAnnotationPrefix = "com.openfaas.nomad.volume."

const options = ["access-mode", "attachment-mode", "per-alloc"] as const
type Option = (typeof options)[number]

const accessModes = [
  "single-node-reader-only",
  "single-node-writer",
  "multi-node-reader-only",
  "multi-node-single-writer",
  "multi-node-multi-writer"
]
const attachmentModes = ["file-system", "block-device"]
const namePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/

/** A volume as its annotations describe it, before it meets the function's count. */
export interface FunctionVolume {
  readonly name: string
  readonly annotation: string
  readonly type: "host" | "csi"
  readonly source: string
  readonly destination: string
  readonly readOnly: boolean
  readonly accessMode: string | undefined
  readonly attachmentMode: string | undefined
  readonly perAlloc: boolean
}

interface Raw {
  value?: string
  readonly options: Partial<Record<Option, string>>
}

const key = (name: string, option?: Option) =>
  `${volumeAnnotationPrefix}${name}${option === undefined ? "" : `.${option}`}`
const problem = (annotation: string, text: string) => `annotations: ${annotation} ${text}`

/** Where a volume is mounted, normalized; or why it cannot be. */
const destinationOf = (text: string): Result.Result<string, string> => {
  if (!text.startsWith("/")) return Result.fail(`needs an absolute destination, got ${quoted(text)}`)
  const path = posix.normalize(text).replace(/\/+$/, "")
  if (path === "") return Result.fail("cannot be mounted on /")
  if (path === secretsMountPath || path.startsWith(`${secretsMountPath}/`)) {
    return Result.fail(`cannot be mounted in ${secretsMountPath}, where the function's secrets are`)
  }
  return Result.succeed(path)
}

const parseVolume = (name: string, raw: Raw, problems: Array<string>): FunctionVolume | undefined => {
  const annotation = key(name)
  if (raw.value === undefined) {
    for (const option of Object.keys(raw.options)) {
      problems.push(problem(key(name, option as Option), `has no volume: set ${annotation} too`))
    }
    return undefined
  }
  const parts = raw.value.split(":")
  const [type, source, destination, mode = "ro"] = parts
  if (parts.length < 3 || parts.length > 4 || (type !== "host" && type !== "csi") || source === "") {
    problems.push(
      problem(annotation, `must be <host|csi>:<source>:<destination>[:ro|:rw], got ${quoted(raw.value)}`)
    )
    return undefined
  }
  if (mode !== "ro" && mode !== "rw") {
    problems.push(problem(annotation, `must end in :ro or :rw (read-only when left out), got ":${mode}"`))
    return undefined
  }
  const path = destinationOf(destination!)
  if (Result.isFailure(path)) {
    problems.push(problem(annotation, path.failure))
    return undefined
  }
  const readOnly = mode === "ro"
  const given = raw.options
  for (const option of ["access-mode", "attachment-mode"] as const) {
    if (type === "host" && given[option] !== undefined) {
      problems.push(problem(key(name, option), "applies to csi volumes only"))
    }
  }
  const accessMode = type === "csi"
    ? given["access-mode"]?.trim() ?? (readOnly ? "multi-node-reader-only" : "multi-node-multi-writer")
    : undefined
  const attachmentMode = type === "csi" ? given["attachment-mode"]?.trim() ?? "file-system" : undefined
  if (accessMode !== undefined && !accessModes.includes(accessMode)) {
    problems.push(
      problem(key(name, "access-mode"), `must be one of ${accessModes.join(", ")}, got ${quoted(accessMode)}`)
    )
  } else if (accessMode?.endsWith("-reader-only") === true && !readOnly) {
    problems.push(problem(key(name, "access-mode"), `${accessMode} needs a read-only (:ro) volume`))
  }
  if (attachmentMode !== undefined && !attachmentModes.includes(attachmentMode)) {
    problems.push(
      problem(
        key(name, "attachment-mode"),
        `must be one of ${attachmentModes.join(", ")}, got ${quoted(attachmentMode)}`
      )
    )
  }
  const perAllocText = given["per-alloc"]
  const perAlloc = perAllocText === undefined ? Result.succeed(false) : Value.boolean(perAllocText)
  if (Result.isFailure(perAlloc)) {
    problems.push(problem(key(name, "per-alloc"), `must be true or false, got ${quoted(perAllocText ?? "")}`))
  }
  return {
    name,
    annotation,
    type,
    source: source!,
    destination: path.success,
    readOnly,
    accessMode,
    attachmentMode,
    perAlloc: Result.isSuccess(perAlloc) && perAlloc.success
  }
}

/** The volumes a deployment's annotations ask for, or every problem with them. */
export const readVolumes = (
  annotations: Readonly<Record<string, string>> | null | undefined
): Result.Result<ReadonlyArray<FunctionVolume>, ReadonlyArray<string>> => {
  const raw = new Map<string, Raw>()
  const problems: Array<string> = []
  const entry = (name: string) => {
    let found = raw.get(name)
    if (found === undefined) raw.set(name, found = { options: {} })
    return found
  }
  for (const [annotation, value] of Object.entries(annotations ?? {})) {
    if (!annotation.startsWith(volumeAnnotationPrefix)) continue
    const rest = annotation.slice(volumeAnnotationPrefix.length)
    const option = options.find((o) => rest.endsWith(`.${o}`))
    const name = option === undefined ? rest : rest.slice(0, -option.length - 1)
    if (!namePattern.test(name)) {
      problems.push(
        problem(
          annotation,
          `is not a volume annotation: expected ${volumeAnnotationPrefix}<name>[.${options.join("|.")}], ` +
            `with a name of letters, digits, - and _`
        )
      )
      continue
    }
    if (option === undefined) entry(name).value = value.trim()
    else entry(name).options[option] = value
  }
  const volumes: Array<FunctionVolume> = []
  for (const [name, found] of [...raw].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const volume = parseVolume(name, found, problems)
    if (volume !== undefined) volumes.push(volume)
  }
  const byDestination = new Map<string, FunctionVolume>()
  for (const volume of volumes) {
    const other = byDestination.get(volume.destination)
    if (other !== undefined) {
      problems.push(problem(volume.annotation, `mounts on ${volume.destination}, as ${other.annotation} does`))
    } else byDestination.set(volume.destination, volume)
  }
  return problems.length > 0 ? Result.fail(problems) : Result.succeed(volumes)
}

/**
 * What Nomad refuses for volumes shared by several instances: a single-node
 * CSI access mode, or one writer, with a count above one and no per-alloc.
 */
export const replicaProblems = (volumes: ReadonlyArray<FunctionVolume>, count: number): ReadonlyArray<string> =>
  volumes.filter((v) =>
    count > 1 && !v.perAlloc && v.type === "csi" &&
    (v.accessMode?.startsWith("single-node-") === true || (v.accessMode === "multi-node-single-writer" && !v.readOnly))
  ).map((v) =>
    problem(
      v.annotation,
      `is a csi volume with access mode ${v.accessMode}, which serves one instance, and the function would have ` +
        `${count} replicas: set ${key(v.name, "per-alloc")}=true (a volume per instance) or a multi-node access mode`
    )
  )

/** Why a function cannot run `replicas` instances with the volumes it has; for a scale, which rewrites no job. */
export const volumeScaleProblems = (
  annotations: Readonly<Record<string, string>> | null | undefined,
  replicas: number
): ReadonlyArray<string> => {
  const read = readVolumes(annotations)
  return Result.isSuccess(read) ? replicaProblems(read.success, replicas) : []
}

export interface VolumeStanzas {
  readonly volumes: Readonly<Record<string, VolumeRequest>>
  readonly mounts: ReadonlyArray<VolumeMount>
}

/** The group's `volume` blocks and the task's `volume_mount`s, with what the function's count and canaries allow. */
export const toVolumeStanzas = (
  annotations: Readonly<Record<string, string>> | null | undefined,
  context: { readonly count: number; readonly canaries: number; readonly readOnlyRootFilesystem: boolean }
): Result.Result<VolumeStanzas | undefined, ReadonlyArray<string>> => {
  const read = readVolumes(annotations)
  if (Result.isFailure(read)) return Result.fail(read.failure)
  const volumes = read.success
  if (volumes.length === 0) return Result.succeed(undefined)
  const problems = [...replicaProblems(volumes, context.count)]
  for (const v of volumes) {
    if (v.perAlloc && context.canaries > 0) {
      problems.push(
        problem(
          key(v.name, "per-alloc"),
          "cannot be used with canaries (com.openfaas.nomad.update.canary), as Nomad requires"
        )
      )
    }
    if (context.readOnlyRootFilesystem && v.destination === "/tmp") {
      problems.push(problem(v.annotation, "mounts on /tmp, where readOnlyRootFilesystem puts a writable tmpfs"))
    }
  }
  if (problems.length > 0) return Result.fail(problems)
  return Result.succeed({
    volumes: Object.fromEntries(volumes.map((v): [string, VolumeRequest] => [v.name, {
      Name: v.name,
      Type: v.type,
      Source: v.source,
      ReadOnly: v.readOnly,
      ...(v.accessMode === undefined ? {} : { AccessMode: v.accessMode }),
      ...(v.attachmentMode === undefined ? {} : { AttachmentMode: v.attachmentMode }),
      ...(v.perAlloc ? { PerAlloc: true } : {})
    }])),
    mounts: volumes.map((v) => ({ Volume: v.name, Destination: v.destination, ReadOnly: v.readOnly }))
  })
}
