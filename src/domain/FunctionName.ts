/**
 * Function and namespace names. A function name is a DNS-1123 label, so that
 * `/function/<name>.<namespace>` splits without ambiguity at the last dot. How long it may be depends on
 * `job_prefix` (the two make the Nomad service name, at most 63): that one rule is `serviceNameProblem`.
 */
import { Schema } from "effect"

export const FunctionName = Schema.String.check(
  Schema.isMinLength(1, { message: "must not be empty" }),
  Schema.isPattern(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message: "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit"
  })
).pipe(Schema.brand("FunctionName"))
export type FunctionName = typeof FunctionName.Type

/** A name as written (a path segment, a job's Meta), if it is a function name. */
export const decodeFunctionName = Schema.decodeUnknownOption(FunctionName)

/** Nomad's own rule for namespace names. */
export const NamespaceName = Schema.String.check(
  Schema.isPattern(/^[a-zA-Z0-9-]{1,128}$/, {
    message: "must be a Nomad namespace name: 1 to 128 letters, digits or '-'"
  })
).pipe(Schema.brand("NamespaceName"))
export type NamespaceName = typeof NamespaceName.Type

export const decodeNamespaceName = Schema.decodeUnknownOption(NamespaceName)

/** A function in a namespace: what every per-function operation is keyed by. */
export interface FunctionRef {
  readonly name: FunctionName
  readonly namespace: NamespaceName
}

/** `name.namespace` or `name`: splits at the last dot, as the OpenFaaS resolvers do. */
export const splitQualifiedName = (
  qualified: string
): { readonly name: string; readonly namespace: string | undefined } => {
  const dot = qualified.lastIndexOf(".")
  return dot === -1
    ? { name: qualified, namespace: undefined }
    : { name: qualified.slice(0, dot), namespace: qualified.slice(dot + 1) }
}

export const refKey = (ref: FunctionRef): string => `${ref.namespace}/${ref.name}`
