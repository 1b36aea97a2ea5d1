/**
 * The faas-provider API, declared once: every endpoint, what it reads, what
 * it answers and each error with its status. The server is built from it
 * (`../ProviderRoutes.ts`), the OpenAPI document and the reference page are
 * generated from it, and the typed client (`../FaasProviderClient.ts`) is
 * derived from it. The invocation proxy (`/function/{name}`) is not in it:
 * it is the hot path, served by node:http and undici (see `../proxy`).
 */
import { Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { FunctionDeployment } from "../../domain/FunctionDeployment.ts"
import { FunctionName } from "../../domain/FunctionName.ts"
import { FunctionStatus } from "../../domain/FunctionStatus.ts"
import { LogMessage } from "../../domain/LogMessage.ts"
import { ProviderInfo } from "../../domain/ProviderInfo.ts"
import { DeleteFunctionRequest, LogsQuery, NamespaceQuery, ScaleServiceRequest } from "../../domain/requests.ts"
import { SecretDeleteRequest, SecretListEntry, SecretRequest } from "../../domain/Secret.ts"
import { release } from "../../version.ts"
import { ErrorSchemas } from "../errorResponse.ts"
import { Authentication } from "./Authentication.ts"
import { Conventions } from "./Conventions.ts"

const { Upstream } = ErrorSchemas
const params = {
  name: FunctionName.annotate({ description: "The function's name", examples: [FunctionName.make("figlet")] })
}
const query = NamespaceQuery
const accepted = HttpApiSchema.Empty(202).annotate({ description: "Accepted: Nomad has the job" })
const done = HttpApiSchema.Empty(200).annotate({ description: "Done" })

const described = (description: string) => OpenApi.annotations({ description })
const operation = (summary: string, description: string) => OpenApi.annotations({ summary, description })

export class FunctionsGroup extends HttpApiGroup.make("functions").add(
  HttpApiEndpoint.get("list", "/system/functions", {
    query,
    success: Schema.Array(FunctionStatus),
    error: [ErrorSchemas.NamespaceNotFound, ...Upstream]
  }).annotateMerge(operation("List functions", "The functions of a namespace, with their replicas")),
  HttpApiEndpoint.post("deploy", "/system/functions", {
    query,
    payload: FunctionDeployment,
    success: accepted,
    error: [ErrorSchemas.FunctionExists, ErrorSchemas.NamespaceNotFound, ErrorSchemas.DeploymentRejected, ...Upstream]
  }).annotateMerge(
    operation(
      "Deploy a function",
      "Deploys a function: registers its Nomad job, which starts com.openfaas.scale.min instances"
    )
  ),
  HttpApiEndpoint.put("update", "/system/functions", {
    query,
    payload: FunctionDeployment,
    success: accepted,
    error: [
      ErrorSchemas.FunctionNotFound,
      ErrorSchemas.NamespaceNotFound,
      ErrorSchemas.DeploymentRejected,
      ErrorSchemas.ConcurrentModification,
      ...Upstream
    ]
  }).annotateMerge(operation("Update a function", "Updates a function in place; its replica count stays as it is")),
  HttpApiEndpoint.delete("delete", "/system/functions", {
    query,
    payload: DeleteFunctionRequest,
    success: accepted,
    error: [ErrorSchemas.FunctionNotFound, ErrorSchemas.NamespaceNotFound, ...Upstream]
  }).annotateMerge(operation("Delete a function", "Deletes a function and stops its instances")),
  HttpApiEndpoint.get("status", "/system/function/:name", {
    params,
    query,
    success: FunctionStatus,
    error: [ErrorSchemas.FunctionNotFound, ErrorSchemas.NamespaceNotFound, ...Upstream]
  }).annotateMerge(operation("Get a function's status", "A function's status")),
  HttpApiEndpoint.post("scale", "/system/scale-function/:name", {
    params,
    query,
    payload: ScaleServiceRequest,
    success: accepted,
    error: [
      ErrorSchemas.FunctionNotFound,
      ErrorSchemas.NamespaceNotFound,
      ErrorSchemas.DeploymentRejected,
      ErrorSchemas.ConcurrentModification,
      ...Upstream
    ]
  }).annotateMerge(operation("Scale a function", "Sets how many instances a function runs, at once; 0 stops them all"))
).middleware(Conventions).middleware(Authentication)
  .annotateMerge(described("Deploy, list, update, scale and delete functions"))
{}

export class SecretsGroup extends HttpApiGroup.make("secrets").add(
  HttpApiEndpoint.get("list", "/system/secrets", {
    query,
    success: Schema.Array(SecretListEntry),
    error: [ErrorSchemas.NamespaceNotFound, ...Upstream]
  }).annotateMerge(operation("List secrets", "The secrets of a namespace: names only, values never leave")),
  HttpApiEndpoint.post("create", "/system/secrets", {
    query,
    payload: SecretRequest,
    success: HttpApiSchema.Created.annotate({ description: "Created" }),
    error: [ErrorSchemas.SecretExists, ErrorSchemas.NamespaceNotFound, ...Upstream]
  }).annotateMerge(operation("Create a secret", "Creates a secret")),
  HttpApiEndpoint.put("update", "/system/secrets", {
    query,
    payload: SecretRequest,
    success: done,
    error: [
      ErrorSchemas.SecretNotFound,
      ErrorSchemas.NamespaceNotFound,
      ErrorSchemas.ConcurrentModification,
      ...Upstream
    ]
  }).annotateMerge(operation("Update a secret", "Replaces a secret's value")),
  HttpApiEndpoint.delete("delete", "/system/secrets", {
    query,
    payload: SecretDeleteRequest,
    success: done,
    error: [
      ErrorSchemas.SecretNotFound,
      ErrorSchemas.NamespaceNotFound,
      ErrorSchemas.ConcurrentModification,
      ...Upstream
    ]
  }).annotateMerge(operation("Delete a secret", "Deletes a secret"))
).middleware(Conventions).middleware(Authentication)
  .annotateMerge(described("Secrets functions mount at /var/openfaas/secrets; Vault or Nomad Variables hold them"))
{}

export class LogsGroup extends HttpApiGroup.make("logs").add(
  HttpApiEndpoint.get("logs", "/system/logs", {
    query: LogsQuery,
    success: HttpApiSchema.StreamNdjson({ schema: LogMessage }).annotate({
      description: "One JSON object per line, each written as soon as it is read"
    }),
    error: [ErrorSchemas.FunctionNotFound, ErrorSchemas.NamespaceNotFound, ErrorSchemas.LogRequestInvalid, ...Upstream]
  }).annotateMerge(
    operation("Read a function's logs", "A function's log lines, every instance's stdout and stderr, as NDJSON")
  )
).middleware(Conventions).middleware(Authentication)
  .annotateMerge(described("Function logs, read through Nomad's log API"))
{}

export class SystemGroup extends HttpApiGroup.make("system").add(
  HttpApiEndpoint.get("info", "/system/info", { success: ProviderInfo })
    .annotateMerge(operation("Provider info", "The provider, its orchestrator and version")),
  HttpApiEndpoint.get("namespaces", "/system/namespaces", {
    success: Schema.Array(Schema.String).annotate({ examples: [["default", "team-a"]] }),
    error: Upstream
  }).annotateMerge(
    operation("List namespaces", "The namespaces functions may live in: default, and those with Meta openfaas=true")
  )
).middleware(Authentication)
  .annotateMerge(described("What the gateway and faas-cli ask about the provider"))
{}

export class HealthGroup extends HttpApiGroup.make("health").add(
  HttpApiEndpoint.get("healthz", "/healthz", {
    success: HttpApiSchema.Empty(200).annotate({ description: "The provider serves" })
  }).annotateMerge(operation("Health", "Whether the provider serves; open, as load balancers and Nomad's checks ask"))
).annotateMerge(described("Health, for load balancers and Nomad's checks")) {}

export class MonitoringGroup extends HttpApiGroup.make("monitoring").add(
  HttpApiEndpoint.get("metrics", "/metrics", {
    success: Schema.String.pipe(HttpApiSchema.asText({ contentType: "text/plain; version=0.0.4; charset=utf-8" }))
      .annotate({ description: "Prometheus text exposition" })
  }).annotateMerge(operation(
    "Prometheus metrics",
    "Requests, invocations and each function's replicas, for Prometheus; open, as faas-provider's"
  ))
).annotateMerge(described("Metrics for Prometheus")) {}

/** The document and the reference page themselves, behind the same auth; listed too, as every route served. */
export class DocumentationGroup extends HttpApiGroup.make("documentation").add(
  HttpApiEndpoint.get("openapi", "/system/openapi.json", {
    success: Schema.Unknown.annotate({ description: "This API as an OpenAPI 3.1 document" })
  }).annotateMerge(
    operation("OpenAPI document", "This API as an OpenAPI 3.1 document, generated from its declaration")
  ),
  HttpApiEndpoint.get("docs", "/system/docs", {
    success: Schema.String.pipe(HttpApiSchema.asText({ contentType: "text/html" }))
      .annotate({ description: "The API reference page" })
  }).annotateMerge(operation("API reference", "This page: the document in Scalar, whose script the provider serves"))
).middleware(Authentication)
  .annotateMerge(described("This API's OpenAPI document and its reference page"))
{}

export class ProviderApi extends HttpApi.make("faas-nomad")
  .add(FunctionsGroup, SecretsGroup, LogsGroup, SystemGroup, HealthGroup, MonitoringGroup, DocumentationGroup)
  .annotate(HttpApi.ParseOptions, { errors: "all" })
  .annotateMerge(OpenApi.annotations({
    title: "faas-nomad",
    version: release,
    description: "The OpenFaaS provider API (faas-provider) of faas-nomad, which runs functions as Nomad jobs. " +
      "Errors are plain text, one problem per line, as faas-cli prints them. Functions are invoked at " +
      "`/function/{name}` (any method, any path below it), outside this document."
  }))
{}
