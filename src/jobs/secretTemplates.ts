/**
 * How a function's secrets reach its task: one Nomad template per secret,
 * rendered from Vault KV v2 (`secret`) or Nomad Variables (`nomadVar`) into
 * the task's secrets directory, which is bound at /var/openfaas/secrets, the
 * path OpenFaaS functions read. A text secret is stored as `value`; bytes
 * are stored base64 with `encoding = base64` and decoded while rendering.
 * An updated secret re-renders and restarts the task, so running instances
 * get it.
 */
import type { SecretValue } from "../domain/Secret.ts"
import type { Task, Template, Vault } from "../nomad/Job.ts"
import type { SecretSource } from "./JobSettings.ts"

export const secretsMountPath = "/var/openfaas/secrets"
const renderDir = "secrets/openfaas"

/** Where a secret is stored: the Vault KV v2 path (under the mount) or the Nomad Variable path. */
export const secretStoragePath = (source: SecretSource, namespace: string, name: string): string =>
  source.backend === "vault" ? `${source.prefix}/${namespace}/${name}` : `${source.prefix}/${name}`

/** What a secret is stored as, in either backend: the fields the templates below read. */
export const secretData = (value: SecretValue): Record<string, string> =>
  value._tag === "Text"
    ? { value: value.text }
    : { value: Buffer.from(value.bytes).toString("base64"), encoding: "base64" }

const quote = (value: string) => JSON.stringify(value)

const templateBody = (source: SecretSource, namespace: string, name: string): string =>
  source.backend === "vault"
    ? `{{ with secret ${quote(`${source.mount}/data/${secretStoragePath(source, namespace, name)}`)} }}` +
      `{{ if .Data.data.encoding }}{{ base64Decode .Data.data.value }}{{ else }}{{ .Data.data.value }}{{ end }}{{ end }}`
    : `{{ with nomadVar ${quote(secretStoragePath(source, namespace, name))} }}` +
      `{{ if eq .encoding.Value "base64" }}{{ base64Decode .value.Value }}{{ else }}{{ .value.Value }}{{ end }}{{ end }}`

export interface SecretMounts {
  readonly templates: ReadonlyArray<Template>
  readonly vault: Vault | undefined
  /** Docker `volumes` entries; relative paths bind inside the task directory, allowed on every client. */
  readonly volumes: ReadonlyArray<string>
}

export const secretMounts = (
  source: SecretSource,
  namespace: string,
  secrets: ReadonlyArray<string>
): SecretMounts => {
  if (secrets.length === 0) return { templates: [], vault: undefined, volumes: [] }
  const templates = secrets.map((name): Template => ({
    EmbeddedTmpl: templateBody(source, namespace, name),
    DestPath: `${renderDir}/${name}`,
    ChangeMode: "restart",
    Perms: "0444"
  }))
  const vault: Vault | undefined = source.backend === "vault"
    ? {
      ChangeMode: "restart",
      ...(source.role === undefined ? {} : { Role: source.role }),
      ...(source.policies.length === 0 ? {} : { Policies: source.policies })
    }
    : undefined
  return { templates, vault, volumes: [`${renderDir}:${secretsMountPath}:ro`] }
}

/** Adds the mounts to a task. */
export const withSecretMounts = (task: Task, mounts: SecretMounts): Task =>
  mounts.templates.length === 0 ? task : {
    ...task,
    Config: { ...task.Config, volumes: mounts.volumes },
    Templates: mounts.templates,
    ...(mounts.vault === undefined ? {} : { Vault: mounts.vault })
  }
