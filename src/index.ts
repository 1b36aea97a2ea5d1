/**
 * faas-nomad as a library: an Effect app builds the provider's services over
 * live or in-memory infrastructure and mounts its routes in its own router.
 *
 * ```ts
 * const Provider = ProviderRoutes.pipe(
 *   Layer.provide(ProviderServices),
 *   Layer.provide(LiveCluster),           // or DevCluster(ProcessRunner.layer)
 *   Layer.provide(ProviderConfig.layerFromEnv(process.env))
 * )
 * HttpRouter.serve(Layer.mergeAll(Provider, MyRoutes))
 * ```
 */

// Configuration
export { parseCommandLine, settingsFromEnv } from "./config/commandLine.ts"
export { ProviderConfig } from "./config/ProviderConfig.ts"
export { type ProviderSettings, settings } from "./config/settings.ts"
export { StartupError } from "./config/StartupError.ts"

// The contract
export * from "./domain/errors.ts"
export { FunctionDeployment, FunctionResources } from "./domain/FunctionDeployment.ts"
export { FunctionName, type FunctionRef, NamespaceName } from "./domain/FunctionName.ts"
export { FunctionStatus } from "./domain/FunctionStatus.ts"
export { LogMessage } from "./domain/LogMessage.ts"
export { ProviderInfo } from "./domain/ProviderInfo.ts"
export { DeleteFunctionRequest, LogsQuery, NamespaceQuery, ScaleServiceRequest } from "./domain/requests.ts"
export { SecretDeleteRequest, SecretListEntry, SecretName, SecretRequest, type SecretValue } from "./domain/Secret.ts"

// Deployment ⇄ Nomad job, pure
export { type JobSettings, jobSettingsFrom } from "./jobs/JobSettings.ts"
export { readScalingPolicy, type ScalingPolicy } from "./jobs/scalingPolicy.ts"
export { toFunctionStatus } from "./jobs/toFunctionStatus.ts"
export { toNomadJob } from "./jobs/toNomadJob.ts"

// Services: what the provider needs, and what it is made of
export * as Autoscaler from "./provider/autoscaling/Autoscaler.ts"
export { decide } from "./provider/autoscaling/decide.ts"
export { EndpointResolver } from "./provider/EndpointResolver.ts"
export { FunctionLogs } from "./provider/FunctionLogs.ts"
export { Functions } from "./provider/Functions.ts"
export { Invocations } from "./provider/Invocations.ts"
export { LoadBalancer } from "./provider/LoadBalancer.ts"
export { Namespaces } from "./provider/Namespaces.ts"
export { ProviderServices } from "./provider/ProviderServices.ts"
export { Discovery, type Endpoint } from "./services/Discovery.ts"
export { Leadership } from "./services/Leadership.ts"
export { type FunctionLoad, LoadExchange, type LoadWindow } from "./services/LoadExchange.ts"
export { Metrics } from "./services/Metrics.ts"
export { Nomad } from "./services/Nomad.ts"
export { SecretStore } from "./services/SecretStore.ts"

// Infrastructure
export * as ProcessRunner from "./dev/ProcessRunner.ts"
export { DevCluster } from "./layers/DevCluster.ts"
export { LiveCluster } from "./layers/LiveCluster.ts"
export { Logging } from "./layers/Logging.ts"
export { AllocationRunner } from "./layers/memory/AllocationRunner.ts"
export * as EchoRunner from "./layers/memory/EchoRunner.ts"
export * as LeadershipMemory from "./layers/memory/LeadershipMemory.ts"
export * as LoadExchangeMemory from "./layers/memory/LoadExchangeMemory.ts"
export { MemoryCluster } from "./layers/memory/MemoryCluster.ts"
export { Telemetry } from "./layers/Telemetry.ts"

// HTTP
export { Authentication, InvalidCredentials } from "./http/api/Authentication.ts"
export { ProviderApi } from "./http/api/ProviderApi.ts"
export { FaasProviderClient, type FaasProviderClientOptions } from "./http/FaasProviderClient.ts"
export { ApiRoutes, ProviderRoutes } from "./http/ProviderRoutes.ts"
export { ProviderServer } from "./http/ProviderServer.ts"
export { InvocationProxy } from "./http/proxy/InvocationProxy.ts"
