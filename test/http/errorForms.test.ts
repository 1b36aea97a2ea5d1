/**
 * Every error's wire form reads back into the error it was written from, so
 * the typed client fails with what the provider failed with; and each form
 * has the status the contract gives it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as fc from "fast-check"
import {
  ConcurrentModification,
  Dependency,
  DeploymentRejected,
  FunctionExists,
  FunctionNotFound,
  InvalidRequest,
  InvocationFailed,
  InvocationTimeout,
  LogRequestInvalid,
  NamespaceNotFound,
  NoReadyInstance,
  NotImplemented,
  PayloadTooLarge,
  SecretExists,
  SecretNotFound,
  TooManyInvocations,
  UpstreamError,
  UpstreamReason
} from "../../src/domain/errors.ts"
import { describeError, errorForms, ErrorSchemas } from "../../src/http/errorResponse.ts"
import { dnsLabel, seed } from "../fuzz/fuzzSupport.ts"

const namespace = fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/)
const secret = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,20}$/)
/** Free text as dependencies and Nomad write it: any characters, several lines, quotes, colons, dots. */
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\n", "\r", "\"", ":", ".", " ", "\t"),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })
  ),
  maxLength: 60
})
const count = fc.nat({ max: 10 ** 9 })

const errors = fc.oneof(
  text.filter((t) => t.trim() !== "").map((message) => new InvalidRequest({ message })),
  fc.record({ limitBytes: count, setting: fc.constantFrom(undefined, "max_invoke_body_size") }).map(
    ({ limitBytes, setting }) => new PayloadTooLarge({ limitBytes, ...(setting === undefined ? {} : { setting }) })
  ),
  namespace.map((ns) => new NamespaceNotFound({ namespace: ns })),
  fc.record({ name: dnsLabel, namespace }).map((r) => new FunctionNotFound(r)),
  fc.record({ name: dnsLabel, namespace }).map((r) => new FunctionExists(r)),
  fc.record({ kind: fc.constantFrom("function" as const, "secret" as const), name: dnsLabel, namespace }).map((r) =>
    new ConcurrentModification(r)
  ),
  fc.record({ name: dnsLabel, message: text }).map((r) => new DeploymentRejected(r)),
  text.map((message) => new LogRequestInvalid({ message })),
  text.filter((t) => t !== "").map((feature) => new NotImplemented({ feature })),
  fc.record({
    dependency: fc.constantFrom(...Dependency.literals),
    reason: fc.constantFrom(...UpstreamReason.literals),
    message: text
  }).map((r) => new UpstreamError(r)),
  fc.record({ name: dnsLabel, namespace, reason: fc.option(text, { nil: undefined }) }).map(({ reason, ...r }) =>
    new NoReadyInstance({ ...r, ...(reason === undefined ? {} : { reason }) })
  ),
  fc.record({ name: dnsLabel, namespace, message: text }).map((r) => new InvocationFailed(r)),
  fc.record({ name: dnsLabel, namespace, timeoutMillis: count }).map((r) => new InvocationTimeout(r)),
  fc.record({ name: dnsLabel, namespace, maxInflight: count }).map((r) => new TooManyInvocations(r)),
  fc.record({ name: secret, namespace }).map((r) => new SecretNotFound(r)),
  fc.record({ name: secret, namespace }).map((r) => new SecretExists(r))
)

const formOf = (error: typeof errors extends fc.Arbitrary<infer E> ? E : never) =>
  error._tag === "UpstreamError"
    ? errorForms[`Upstream${error.reason}`]
    : errorForms[error._tag]

describe("error forms", () => {
  it("each message reads back into the error it was written from, and no other form reads it", () =>
    fc.assert(
      fc.property(errors, (error) => {
        const { message } = describeError(error)
        const form = formOf(error)
        assert.deepStrictEqual((form.parse as (m: string) => unknown)(message), error)
        for (const [key, other] of Object.entries(errorForms)) {
          if (other === form || key === "InvalidRequest") continue
          assert.isUndefined((other.parse as (m: string) => unknown)(message), `${key} reads ${message}`)
        }
      }),
      { seed, numRuns: 2000 }
    ))

  it.effect("the declaration's schemas encode each error as its text and decode the text back", () =>
    Effect.gen(function*() {
      const upstream = new UpstreamError({ dependency: "vault", reason: "Timeout", message: "no answer within 1s" })
      const [, timeout] = ErrorSchemas.Upstream
      assert.strictEqual(
        yield* Schema.encodeEffect(timeout)(upstream),
        "vault did not answer in time: no answer within 1s\n"
      )
      assert.deepStrictEqual(
        yield* Schema.decodeEffect(timeout)("vault did not answer in time: no answer within 1s\n"),
        upstream
      )
      const notFound = new FunctionNotFound({ name: "figlet", namespace: "default" })
      assert.deepStrictEqual(
        yield* Schema.decodeEffect(ErrorSchemas.FunctionNotFound)(
          yield* Schema.encodeEffect(ErrorSchemas.FunctionNotFound)(notFound)
        ),
        notFound
      )
      const wrong = yield* Effect.flip(Schema.decodeEffect(ErrorSchemas.FunctionNotFound)("secret \"x\" not found\n"))
      assert.strictEqual(wrong._tag, "SchemaError")
    }))

  it("statuses are the contract's", () => {
    const status = (e: Parameters<typeof describeError>[0]) => describeError(e).status
    const ref = { name: "f", namespace: "default" }
    assert.deepStrictEqual(
      [
        status(new InvalidRequest({ message: "x" })),
        status(new PayloadTooLarge({ limitBytes: 1 })),
        status(new NamespaceNotFound({ namespace: "x" })),
        status(new FunctionNotFound(ref)),
        status(new FunctionExists(ref)),
        status(new ConcurrentModification({ kind: "secret", ...ref })),
        status(new DeploymentRejected({ name: "f", message: "x" })),
        status(new LogRequestInvalid({ message: "x" })),
        status(new NotImplemented({ feature: "x" })),
        ...UpstreamReason.literals.map((reason) =>
          status(new UpstreamError({ dependency: "nomad", reason, message: "x" }))
        ),
        status(new NoReadyInstance(ref)),
        status(new InvocationFailed({ ...ref, message: "x" })),
        status(new InvocationTimeout({ ...ref, timeoutMillis: 1 })),
        status(new TooManyInvocations({ ...ref, maxInflight: 1 })),
        status(new SecretNotFound(ref)),
        status(new SecretExists(ref))
      ],
      [400, 413, 400, 404, 409, 409, 400, 422, 501, 503, 504, 502, 502, 503, 502, 504, 429, 404, 409]
    )
  })
})
