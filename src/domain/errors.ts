/**
 * The failures a caller can act on, as tagged errors carrying the data that
 * explains them. `ApiError` lists them all, once: its type is what routes may
 * end with, and its schema tells them apart from defects at run time.
 * `src/http/errorResponse.ts` turns each into a status and a message, in one
 * place.
 */
import { Schema } from "effect"

/** A request body, path or query that does not decode; `message` lists every problem. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  message: Schema.String
}) {}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  limitBytes: Schema.Number,
  /** The setting that sets the limit; `max_body_size` when absent. */
  setting: Schema.optionalKey(Schema.String)
}) {}

export class NamespaceNotFound extends Schema.TaggedError<NamespaceNotFound>()("NamespaceNotFound", {
  namespace: Schema.String
}) {}

export class FunctionNotFound extends Schema.TaggedError<FunctionNotFound>()("FunctionNotFound", {
  name: Schema.String,
  namespace: Schema.String
}) {}

export class FunctionExists extends Schema.TaggedError<FunctionExists>()("FunctionExists", {
  name: Schema.String,
  namespace: Schema.String
}) {}

/** A function or a secret kept changing under a check-and-set write until the retries ran out. */
export class ConcurrentModification extends Schema.TaggedError<ConcurrentModification>()("ConcurrentModification", {
  kind: Schema.Literals(["function", "secret"]),
  name: Schema.String,
  namespace: Schema.String
}) {}

/** Nomad refused the job built from a deployment (its validation, not its availability). */
export class DeploymentRejected extends Schema.TaggedError<DeploymentRejected>()("DeploymentRejected", {
  name: Schema.String,
  message: Schema.String
}) {}

/** A log request whose `tail` or `since` cannot be read: 422, as faas-provider answers. */
export class LogRequestInvalid extends Schema.TaggedError<LogRequestInvalid>()("LogRequestInvalid", {
  message: Schema.String
}) {}

export class NotImplemented extends Schema.TaggedError<NotImplemented>()("NotImplemented", {
  feature: Schema.String
}) {}

export const Dependency = Schema.Literals(["nomad", "consul", "vault", "secrets"])
export type Dependency = typeof Dependency.Type

/**
 * A dependency failed: `Unavailable` (unreachable or answering 5xx),
 * `Timeout`, `PermissionDenied` (our token is refused) or `BadResponse`
 * (an answer we cannot use).
 */
export const UpstreamReason = Schema.Literals(["Unavailable", "Timeout", "PermissionDenied", "BadResponse"])
export type UpstreamReason = typeof UpstreamReason.Type

export class UpstreamError extends Schema.TaggedError<UpstreamError>()("UpstreamError", {
  dependency: Dependency,
  reason: UpstreamReason,
  message: Schema.String
}) {}

/** The function exists but no instance is ready to take the request. */
export class NoReadyInstance extends Schema.TaggedError<NoReadyInstance>()("NoReadyInstance", {
  name: Schema.String,
  namespace: Schema.String,
  /** Why, when it is known: the instances failed to start, with Nomad's words. */
  reason: Schema.optionalKey(Schema.String)
}) {}

/** An instance was chosen but could not be reached, or broke off the exchange. */
export class InvocationFailed extends Schema.TaggedError<InvocationFailed>()("InvocationFailed", {
  name: Schema.String,
  namespace: Schema.String,
  message: Schema.String
}) {}

export class InvocationTimeout extends Schema.TaggedError<InvocationTimeout>()("InvocationTimeout", {
  name: Schema.String,
  namespace: Schema.String,
  timeoutMillis: Schema.Number
}) {}

/** The function has `maxInflight` invocations under way already (`com.openfaas.max_inflight`). */
export class TooManyInvocations extends Schema.TaggedError<TooManyInvocations>()("TooManyInvocations", {
  name: Schema.String,
  namespace: Schema.String,
  maxInflight: Schema.Number
}) {}

export class SecretNotFound extends Schema.TaggedError<SecretNotFound>()("SecretNotFound", {
  name: Schema.String,
  namespace: Schema.String
}) {}

export class SecretExists extends Schema.TaggedError<SecretExists>()("SecretExists", {
  name: Schema.String,
  namespace: Schema.String
}) {}

/** Every failure a caller can act on. */
export const ApiError = Schema.Union([
  InvalidRequest,
  PayloadTooLarge,
  NamespaceNotFound,
  FunctionNotFound,
  FunctionExists,
  ConcurrentModification,
  DeploymentRejected,
  NotImplemented,
  LogRequestInvalid,
  UpstreamError,
  NoReadyInstance,
  InvocationFailed,
  InvocationTimeout,
  TooManyInvocations,
  SecretNotFound,
  SecretExists
])
export type ApiError = typeof ApiError.Type
