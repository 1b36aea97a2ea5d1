/**
 * The state of one KV v2 mount and the rules that change it, after `vault-plugin-secrets-kv`
 * (`path_data.go`, `path_delete.go`, `path_destroy.go`, `path_metadata.go`,
 * `delete_version_after.go`): versions, check-and-set, the max-versions window, soft delete,
 * undelete, destroy. Turning requests into these calls is `kvBackend.ts`.
 */
import type { SimClock } from "./SimClock.ts"

export interface KvConfig {
  /** 0: Vault's default of 10. */
  maxVersions: number
  casRequired: boolean
  /** Seconds; 0 unset, -1 disabled for every key. */
  deleteVersionAfter: number
}

export interface KvVersion {
  readonly createdTime: number
  deletionTime: number | undefined
  destroyed: boolean
  /** Gone once destroyed. */
  data: Record<string, unknown> | undefined
}

export interface KvKey {
  readonly versions: Map<number, KvVersion>
  currentVersion: number
  oldestVersion: number
  readonly createdTime: number
  updatedTime: number
  maxVersions: number
  casRequired: boolean
  deleteVersionAfter: number
  customMetadata: Record<string, string> | null
}

export const defaultMaxVersions = 10

/** `deletionTime`: creation plus the smaller non-zero of the mount's and the key's setting. */
const deletionTime = (creation: number, mount: number, meta: number): number | undefined => {
  if (mount === 0 && meta === 0) return undefined
  let min = meta
  if ((mount !== 0 && mount < min) || min === 0) min = mount
  return creation + min * 1000
}

export class KvEngine {
  readonly config: KvConfig = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 }
  readonly keys = new Map<string, KvKey>()
  private readonly clock: SimClock

  constructor(clock: SimClock) {
    this.clock = clock
  }

  /** A version whose deletion time has come, or that was destroyed, reads as not found. */
  isGone(version: KvVersion): boolean {
    return version.destroyed || (version.deletionTime !== undefined && version.deletionTime <= this.clock.now())
  }

  /** `validateCheckAndSetOption`: the 400 message, or nothing when the write may go ahead. */
  checkAndSet(options: Readonly<Record<string, unknown>> | undefined, key: KvKey | undefined): string | undefined {
    const current = key?.currentVersion ?? 0
    if (options !== undefined && "cas" in options) {
      const raw = options["cas"]
      const cas = typeof raw === "number"
        ? Math.trunc(raw)
        : typeof raw === "string" && /^\d+$/.test(raw)
        ? Number(raw)
        : NaN
      if (Number.isNaN(cas)) return "error parsing check-and-set parameter"
      if (cas !== current) return "check-and-set parameter did not match the current version"
      return undefined
    }
    if (this.config.casRequired || key?.casRequired === true) return "check-and-set parameter required for this call"
    return undefined
  }

  private newKey(now: number): KvKey {
    return {
      versions: new Map(),
      currentVersion: 0,
      oldestVersion: 0,
      createdTime: now,
      updatedTime: now,
      maxVersions: 0,
      casRequired: false,
      deleteVersionAfter: 0,
      customMetadata: null
    }
  }

  private versionDeletionTime(created: number, key: KvKey): number | undefined {
    return this.config.deleteVersionAfter === -1
      ? undefined
      : deletionTime(created, this.config.deleteVersionAfter, key.deleteVersionAfter)
  }

  /** A new version (write or patch), then `AddVersion`'s sliding window drops the oldest ones. */
  addVersion(path: string, data: Record<string, unknown>): { key: KvKey; number: number; version: KvVersion } {
    const now = this.clock.now()
    const existing = this.keys.get(path)
    const key = existing ?? this.newKey(now)
    if (existing === undefined) this.keys.set(path, key)
    const version: KvVersion = {
      createdTime: now,
      deletionTime: this.versionDeletionTime(now, key),
      destroyed: false,
      data
    }
    key.currentVersion += 1
    key.versions.set(key.currentVersion, version)
    key.updatedTime = now
    const max = Math.max(key.maxVersions, this.config.maxVersions) || defaultMaxVersions
    if (key.currentVersion - key.oldestVersion >= max) {
      const toDelete = key.currentVersion - max
      for (let n = key.oldestVersion; n <= toDelete; n++) key.versions.delete(n)
      key.oldestVersion = toDelete + 1
    }
    return { key, number: key.currentVersion, version }
  }

  /** `DELETE data/:path`: marks the latest version deleted, unless it already is. */
  softDeleteLatest(path: string): void {
    const key = this.keys.get(path)
    const latest = key?.versions.get(key.currentVersion)
    if (latest !== undefined && !this.isGone(latest)) latest.deletionTime = this.clock.now()
  }

  deleteVersions(path: string, numbers: ReadonlyArray<number>): void {
    const key = this.keys.get(path)
    for (const n of numbers) {
      const version = key?.versions.get(n)
      if (version !== undefined && !this.isGone(version)) version.deletionTime = this.clock.now()
    }
  }

  /** Undeleting restarts `delete_version_after` from now. */
  undeleteVersions(path: string, numbers: ReadonlyArray<number>): void {
    const key = this.keys.get(path)
    if (key === undefined) return
    for (const n of numbers) {
      const version = key.versions.get(n)
      if (version === undefined || version.destroyed) continue
      version.deletionTime = this.versionDeletionTime(this.clock.now(), key)
    }
  }

  destroyVersions(path: string, numbers: ReadonlyArray<number>): void {
    const key = this.keys.get(path)
    for (const n of numbers) {
      const version = key?.versions.get(n)
      if (version === undefined || version.destroyed) continue
      version.destroyed = true
      version.data = undefined
    }
  }

  /** `metadata/:path` write: creates the key (without versions) when it does not exist. */
  writeMetadata(path: string, change: (key: KvKey) => void): void {
    const key = this.keys.get(path) ?? this.newKey(this.clock.now())
    this.keys.set(path, key)
    change(key)
  }

  deleteMetadata(path: string): void {
    this.keys.delete(path)
  }

  /** The names one level below `prefix`; folders end with `/`. Sorted, as storage lists them. */
  list(prefix: string): Array<string> {
    const names = new Set<string>()
    for (const path of this.keys.keys()) {
      if (!path.startsWith(prefix) || path === prefix) continue
      const rest = path.slice(prefix.length)
      const slash = rest.indexOf("/")
      names.add(slash === -1 ? rest : rest.slice(0, slash + 1))
    }
    return [...names].sort()
  }

  /** The data of the latest version, when it is live. */
  latestLiveData(path: string): Record<string, unknown> | undefined {
    const key = this.keys.get(path)
    const latest = key?.versions.get(key.currentVersion)
    return latest === undefined || this.isGone(latest) ? undefined : latest.data
  }
}
