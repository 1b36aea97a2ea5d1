/**
 * The typed client (`FaasProviderClient`) as the route tests use it, for the
 * requests they send well-formed: plain values decoded into the contract's
 * types, as a program would build them.
 */
import { Effect, Schema } from "effect"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import { FunctionName } from "../../src/domain/FunctionName.ts"
import { SecretName } from "../../src/domain/Secret.ts"
import { FaasProviderClient } from "../../src/http/FaasProviderClient.ts"

export const provider = Effect.service(FaasProviderClient)

export const fnName = (name: string): FunctionName => FunctionName.make(name)

export const secretName = (name: string): SecretName => SecretName.make(name)

const decodeDeployment = Schema.decodeUnknownSync(FunctionDeployment)

/** A deployment of `service`, figlet unless `extra` says otherwise. */
export const deploymentOf = (service: string, extra: Record<string, unknown> = {}): FunctionDeployment =>
  decodeDeployment({ service, image: "ghcr.io/openfaas/figlet:latest", ...extra })
