/**
 * Nomad Variables and their locks (Nomad ≥ 1.7) over Nomad's HTTP API: what
 * a lease held in Nomad and state shared between provider replicas are built
 * on. Each function is one documented call, its statuses read in one place:
 * reads are retried, writes and lock operations are not (their callers run
 * in a loop that tries again), and Nomad's 409s become typed errors.
 *
 * How Nomad treats locks, from its source (`nomad/locks.go`,
 * `nomad/structs/variables.go`): the TTL is 10 s to 24 h; a lock not renewed
 * within twice its TTL is lost, and stays on its variable (nobody may
 * acquire it) for `LockDelay` more; a zero TTL or delay means Nomad's 15 s
 * default. A write to a locked variable must carry the lock ID, and a DELETE
 * cannot, so a held lock is released before its variable is deleted.
 */
import { Context, Duration, Effect, Layer, Option, Schema } from "effect"
import { HttpBody, HttpClientRequest } from "effect/http"
import { UpstreamError } from "../../domain/errors.ts"
import { Variable, VariableLock, VariableMetadata } from "../../nomad/Variable.ts"
import { decodeAnswer, matchStatus, unexpected } from "../http/answers.ts"
import type { ApiAnswer } from "../http/ApiClient.ts"
import { type NomadApi, NomadApiClient } from "./NomadApiClient.ts"

/** A check-and-set write or delete found the variable at another index, or absent, or present when told it was not. */
export class VariableConflict extends Schema.TaggedError<VariableConflict>()("VariableConflict", {
  namespace: Schema.String,
  path: Schema.String,
  /** What Nomad holds now; absent when there is nothing, or a lock hides it (Nomad answers both with an empty variable). */
  current: Schema.optionalKey(Variable)
}) {}

/** Another holds the variable's lock, and the write did not carry its ID (a delete never can). */
export class VariableLocked extends Schema.TaggedError<VariableLocked>()("VariableLocked", {
  namespace: Schema.String,
  path: Schema.String
}) {}

/** The lock is held under another ID, or is still in its lock delay after its holder lost it. */
export class LockHeld extends Schema.TaggedError<LockHeld>()("LockHeld", {
  namespace: Schema.String,
  path: Schema.String
}) {}

/** The lease is gone: expired (and maybe taken by another), released, or its variable deleted; `message` is Nomad's. */
export class LockLost extends Schema.TaggedError<LockLost>()("LockLost", {
  namespace: Schema.String,
  path: Schema.String,
  lockId: Schema.String,
  message: Schema.String
}) {}

/** A variable as a lock acquire answers it: with the lock, whose ID every later lock operation needs. */
export type LockedVariable = Variable & { readonly Lock: VariableLock }

export interface AcquireOptions {
  /** How long the lock lasts unrenewed; Nomad allows 10 s to 24 h (and keeps it up to twice as long). */
  readonly ttl: Duration.Input
  /** How long a lost lock stays unacquirable; Nomad reads zero as its 15 s default. */
  readonly lockDelay: Duration.Input
  /**
   * The ID to hold the lock under; Nomad makes one when absent. With its own ID a caller whose acquire went
   * unanswered may simply acquire again: Nomad grants a lock to the ID that holds it (without extending it).
   */
  readonly id?: string | undefined
  /** The variable's items from now on: an acquire replaces them, so none leaves none. */
  readonly items?: Readonly<Record<string, string>> | undefined
}

export interface WriteOptions {
  /** Check-and-set: write only if the variable's `ModifyIndex` is this; 0 means "only if it does not exist". */
  readonly cas?: number | undefined
  /** The ID of the lock the caller holds on the variable. */
  readonly lockId?: string | undefined
}

export interface NomadVariablesApi {
  /** The variable with its items; none when it does not exist. */
  readonly readVariable: (namespace: string, path: string) => Effect.Effect<Option.Option<Variable>, UpstreamError>
  /** The metadata of every variable whose path starts with `prefix`: Nomad lists no items. */
  readonly listVariables: (
    namespace: string,
    prefix: string
  ) => Effect.Effect<ReadonlyArray<VariableMetadata>, UpstreamError>
  /** Creates or replaces the variable's items (Nomad refuses an empty set). */
  readonly writeVariable: (
    namespace: string,
    path: string,
    items: Readonly<Record<string, string>>,
    options?: WriteOptions
  ) => Effect.Effect<Variable, VariableConflict | VariableLocked | UpstreamError>
  /** Deletes the variable; deleting one that does not exist succeeds (unless `cas` says it should). */
  readonly deleteVariable: (
    namespace: string,
    path: string,
    options?: { readonly cas?: number | undefined }
  ) => Effect.Effect<void, VariableConflict | VariableLocked | UpstreamError>
  /** Locks the variable, creating it if need be. */
  readonly acquireLock: (
    namespace: string,
    path: string,
    options: AcquireOptions
  ) => Effect.Effect<LockedVariable, LockHeld | UpstreamError>
  /** Starts the lock's TTL again; the answer is the variable's metadata. */
  readonly renewLock: (
    namespace: string,
    path: string,
    lockId: string
  ) => Effect.Effect<VariableMetadata, LockLost | UpstreamError>
  /** Releases the lock at once (no lock delay follows); the variable and its items stay. */
  readonly releaseLock: (
    namespace: string,
    path: string,
    lockId: string
  ) => Effect.Effect<VariableMetadata, LockLost | UpstreamError>
}

const decodeVariable = decodeAnswer("nomad", Variable)
const decodeMetadata = decodeAnswer("nomad", VariableMetadata)
const decodeList = decodeAnswer("nomad", Schema.Array(VariableMetadata))

/** `time.ParseDuration` reads nanoseconds exactly; a Duration may be finer than milliseconds. */
const goDuration = (input: Duration.Input): string => `${Math.round(Duration.toMillis(input) * 1_000_000)}ns`

/** How the state store words a lock release it cannot do (uncoded, so a 500). */
const notHeld = /^variable doesn't (hold a lock|exist)$/

const make = (client: NomadApi): NomadVariablesApi => {
  const url = (path: string) => `/v1/var/${path.split("/").map(encodeURIComponent).join("/")}`
  const otherwise = (what: string) => (answer: ApiAnswer) => Effect.fail(unexpected("nomad", answer, what))
  const put = (namespace: string, path: string, query: Record<string, string>, body: unknown) =>
    client.send(
      HttpClientRequest.setBody(
        client.request("PUT", url(path), { namespace, ...query }),
        HttpBody.jsonUnsafe(body)
      ),
      { retry: "write" }
    )

  /** A 409 to a write or delete: with no check-and-set it can only be the lock; with one, Nomad's body says. */
  const refused = (namespace: string, path: string, cas: number | undefined) => (answer: ApiAnswer) => {
    if (cas === undefined) return Effect.fail(new VariableLocked({ namespace, path }))
    return decodeVariable(answer, `variable ${path}`).pipe(
      Effect.option,
      Effect.flatMap((current) =>
        Effect.fail(
          Option.isSome(current) && current.value.ModifyIndex > 0
            ? new VariableConflict({ namespace, path, current: current.value })
            : new VariableConflict({ namespace, path })
        )
      )
    )
  }

  const readVariable: NomadVariablesApi["readVariable"] = (namespace, path) => {
    const what = `read variable ${path}`
    return client.send(client.request("GET", url(path), { namespace }), { retry: "read" }).pipe(
      Effect.flatMap((answer) =>
        matchStatus(answer, {
          200: (ok) => Effect.map(decodeVariable(ok, what), Option.some),
          404: () => Effect.succeedNone,
          orElse: otherwise(what)
        })
      )
    )
  }

  const listVariables: NomadVariablesApi["listVariables"] = (namespace, prefix) => {
    const what = `list variables ${prefix}`
    return client.send(client.request("GET", "/v1/vars", { namespace, prefix }), { retry: "read" }).pipe(
      Effect.flatMap((answer) => matchStatus(answer, { 200: (ok) => decodeList(ok, what), orElse: otherwise(what) }))
    )
  }

  const writeVariable: NomadVariablesApi["writeVariable"] = (namespace, path, items, options = {}) => {
    const what = `write variable ${path}`
    const query: Record<string, string> = options.cas === undefined ? {} : { cas: String(options.cas) }
    const body = {
      Namespace: namespace,
      Path: path,
      Items: items,
      ...(options.lockId === undefined ? {} : { Lock: { ID: options.lockId } })
    }
    return put(namespace, path, query, body).pipe(
      Effect.flatMap((answer) =>
        matchStatus<Variable, VariableConflict | VariableLocked | UpstreamError>(answer, {
          200: (ok) => decodeVariable(ok, what),
          409: refused(namespace, path, options.cas),
          orElse: otherwise(what)
        })
      )
    )
  }

  const deleteVariable: NomadVariablesApi["deleteVariable"] = (namespace, path, options = {}) => {
    const what = `delete variable ${path}`
    const query: Record<string, string> = {
      namespace,
      ...(options.cas === undefined ? {} : { cas: String(options.cas) })
    }
    return client.send(client.request("DELETE", url(path), query), { retry: "write" }).pipe(
      Effect.flatMap((answer) =>
        matchStatus<void, VariableConflict | VariableLocked | UpstreamError>(answer, {
          200: () => Effect.void,
          204: () => Effect.void,
          409: refused(namespace, path, options.cas),
          orElse: otherwise(what)
        })
      )
    )
  }

  const acquireLock: NomadVariablesApi["acquireLock"] = (namespace, path, options) => {
    const what = `acquire lock ${path}`
    const body = {
      Namespace: namespace,
      Path: path,
      ...(options.items === undefined ? {} : { Items: options.items }),
      Lock: {
        TTL: goDuration(options.ttl),
        LockDelay: goDuration(options.lockDelay),
        ...(options.id === undefined ? {} : { ID: options.id })
      }
    }
    return put(namespace, path, { "lock-acquire": "" }, body).pipe(
      Effect.flatMap((answer) =>
        matchStatus<LockedVariable, LockHeld | UpstreamError>(answer, {
          200: (ok) =>
            Effect.flatMap(decodeVariable(ok, what), (variable) =>
              variable.Lock === undefined || variable.Lock === null
                ? Effect.fail(
                  new UpstreamError({ dependency: "nomad", reason: "BadResponse", message: `${what}: no lock ID` })
                )
                : Effect.succeed({ ...variable, Lock: variable.Lock })),
          409: () => Effect.fail(new LockHeld({ namespace, path })),
          orElse: otherwise(what)
        })
      )
    )
  }

  const lost = (namespace: string, path: string, lockId: string, message?: string) => (answer: ApiAnswer) =>
    Effect.fail(
      new LockLost({ namespace, path, lockId, message: message ?? (answer.body.trim() || `HTTP ${answer.status}`) })
    )

  const renewLock: NomadVariablesApi["renewLock"] = (namespace, path, lockId) => {
    const what = `renew lock ${path}`
    return put(namespace, path, { "lock-renew": "" }, { Namespace: namespace, Path: path, Lock: { ID: lockId } }).pipe(
      Effect.flatMap((answer) =>
        matchStatus<VariableMetadata, LockLost | UpstreamError>(answer, {
          200: (ok) => decodeMetadata(ok, what),
          404: lost(namespace, path, lockId),
          409: lost(namespace, path, lockId),
          orElse: otherwise(what)
        })
      )
    )
  }

  const releaseLock: NomadVariablesApi["releaseLock"] = (namespace, path, lockId) => {
    const what = `release lock ${path}`
    return put(namespace, path, { "lock-release": "" }, { Namespace: namespace, Path: path, Lock: { ID: lockId } })
      .pipe(
        Effect.flatMap((answer) =>
          matchStatus<VariableMetadata, LockLost | UpstreamError>(answer, {
            200: (ok) => decodeMetadata(ok, what),
            // Nomad's body is an empty variable: it does not say who holds the lock.
            409: lost(namespace, path, lockId, "the lock is held under another ID"),
            500: (failed) =>
              notHeld.test(failed.body.trim()) ? lost(namespace, path, lockId)(failed) : otherwise(what)(failed),
            orElse: otherwise(what)
          })
        )
      )
  }

  return { readVariable, listVariables, writeVariable, deleteVariable, acquireLock, renewLock, releaseLock }
}

/** The variables client on the shared Nomad client, for the adapters that keep state in Nomad. */
export class NomadVariables extends Context.Service<NomadVariables, NomadVariablesApi>()("faas-nomad/NomadVariables") {
  static readonly make: (client: NomadApi) => NomadVariablesApi = make

  static readonly layer: Layer.Layer<NomadVariables, never, NomadApiClient> = Layer.effect(
    NomadVariables,
    Effect.map(Effect.service(NomadApiClient), make)
  )
}
