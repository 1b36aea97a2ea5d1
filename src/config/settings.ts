/**
 * Every setting of the provider, once: its environment variable, its flag, its
 * default and what it means. The parser, `--help` and the README's
 * configuration table are all read from this table.
 */
import * as Value from "./values.ts"

export interface Setting<A, D extends string | undefined = string | undefined> {
  /** The environment variable; HashiCorp's names upper case, OpenFaaS's lower case. */
  readonly env: string
  /** Another variable read when `env` is not set: `PORT`, as platforms set it, for `port`. */
  readonly fallbackEnv?: string | undefined
  readonly flag: string
  readonly default: D
  readonly description: string
  readonly group: string
  readonly parse: Value.ValueParser<A>
}

const setting = <A, const D extends string | undefined = undefined>(
  env: string,
  group: string,
  parse: Value.ValueParser<A>,
  options: { readonly default?: D; readonly description: string; readonly fallbackEnv?: string }
): Setting<A, D> => ({
  env,
  fallbackEnv: options.fallbackEnv,
  flag: `--${env.toLowerCase().replaceAll("_", "-")}`,
  default: options.default as D,
  description: options.description,
  group,
  parse
})

export const settings = {
  port: setting("port", "Provider", Value.port, {
    default: "8081",
    fallbackEnv: "PORT",
    description: "TCP port the provider listens on (the gateway's functions_provider_url points here); " +
      "PORT, as platforms set it, when port is not set"
  }),
  bindAddress: setting("bind_address", "Provider", Value.text, {
    default: "0.0.0.0",
    description: "Address the provider listens on (127.0.0.1 keeps it on loopback)"
  }),
  readTimeout: setting("read_timeout", "Provider", Value.duration, {
    default: "60s",
    description: "Longest time to receive a request, headers and body; seconds or a Go duration"
  }),
  writeTimeout: setting("write_timeout", "Provider", Value.duration, {
    default: "60s",
    description: "Longest time to answer a request, including a function's reply; seconds or a Go duration"
  }),
  maxBodySize: setting("max_body_size", "Provider", Value.byteSize, {
    default: "1Mi",
    description: "Largest /system/* request body accepted; larger ones get 413"
  }),
  maxHeaderSize: setting("max_header_size", "Provider", Value.byteSize, {
    default: "64Ki",
    description: "Largest request line and headers accepted; larger ones get 431"
  }),
  maxInvokeBodySize: setting("max_invoke_body_size", "Provider", Value.byteSizeOrZero, {
    default: "0",
    description: "Largest invocation body passed to a function, 0 for no limit; larger ones get 413"
  }),
  basicAuth: setting("basic_auth", "Provider", Value.boolean, {
    default: "false",
    description: "Require HTTP basic auth on /system/* (credentials from secret_mount_path)"
  }),
  secretMountPath: setting("secret_mount_path", "Provider", Value.text, {
    default: "/run/secrets/",
    description: "Folder holding the files basic-auth-user and basic-auth-password"
  }),
  apiTimeout: setting("api_timeout", "Provider", Value.duration, {
    default: "10s",
    description: "Whole budget of one call to Nomad, Consul or Vault, retries included; past it the call fails (504)"
  }),
  jobPrefix: setting("job_prefix", "Functions", Value.text, {
    default: "OpenFaaS-",
    description: "Prefix of the Nomad job ID of every function: <job_prefix><name>"
  }),
  jobDatacenters: setting("job_datacenters", "Functions", Value.list, {
    default: "*",
    description: "Datacenters a function runs in unless its constraints name some (comma-separated)"
  }),
  networkMode: setting("network_mode", "Functions", Value.oneOf(["host", "bridge"]), {
    default: "host",
    description: "Nomad group network mode of function jobs (bridge needs CNI plugins on the clients)"
  }),
  serviceDiscovery: setting("service_discovery", "Functions", Value.oneOf(["consul", "nomad"]), {
    default: "consul",
    description: "Where functions register and are found: consul, or nomad (Nomad 1.4+ native services)"
  }),
  scaleFromZero: setting("scale_from_zero", "Functions", Value.boolean, {
    default: "true",
    description: "Scale a function at 0 replicas to max(1, com.openfaas.scale.min) on its first invocation"
  }),
  maxReplicas: setting("max_replicas", "Functions", Value.positiveInteger, {
    default: "1000",
    description:
      "Most instances one function may run: a larger scale request or com.openfaas.scale.min is refused (400)"
  }),
  autoscaler: setting("autoscaler", "Functions", Value.oneOf(["on", "off", "nomad"]), {
    default: "on",
    description: "Who scales functions labelled com.openfaas.scale.type, .target or .zero=true: on (the provider, " +
      "from the load it proxies), nomad (the Nomad Autoscaler, through each job's scaling block) or off"
  }),
  autoscalerInterval: setting("autoscaler_interval", "Functions", Value.positiveDuration, {
    default: "5s",
    description: "How often the autoscaler reads the load and decides; seconds or a Go duration"
  }),
  autoscalerScaleDownDelay: setting("autoscaler_scale_down_delay", "Functions", Value.duration, {
    default: "1m",
    description: "How long a lower desire must last before the autoscaler removes replicas; seconds or a Go duration"
  }),
  registryAuthFile: setting("registry_auth_file", "Functions", Value.text, {
    description: "Docker config.json whose auths are the registry credentials of functions without registryAuth, " +
      "for images from those registries; read at start"
  }),
  secretsBackend: setting("secrets_backend", "Secrets", Value.oneOf(["vault", "nomad"]), {
    default: "vault",
    description: "Where function secrets are stored: vault (KV v2) or nomad (Nomad Variables)"
  }),
  vaultKvMount: setting("vault_kv_mount", "Secrets", Value.text, {
    default: "secret",
    description: "Vault KV v2 mount that holds function secrets"
  }),
  vaultSecretPrefix: setting("vault_secret_prefix", "Secrets", Value.text, {
    default: "openfaas",
    description: "Path in the mount: a secret lives at <prefix>/<namespace>/<name>"
  }),
  vaultRole: setting("vault_role", "Secrets", Value.text, {
    description: "Vault role of function tasks (Nomad workload identity); unset uses Nomad's default"
  }),
  vaultPolicies: setting("vault_policies", "Secrets", Value.list, {
    description: "Vault policies of function tasks, for Nomad's legacy token workflow (before 1.10)"
  }),
  nomadSecretPrefix: setting("nomad_secret_prefix", "Secrets", Value.text, {
    default: "openfaas-secrets",
    description: "Nomad Variables path prefix: a secret lives at <prefix>/<name> in its namespace"
  }),
  nomadAddr: setting("NOMAD_ADDR", "Nomad", Value.baseUrl("http"), {
    default: "http://127.0.0.1:4646",
    description: "Nomad HTTP API address"
  }),
  nomadToken: setting("NOMAD_TOKEN", "Nomad", Value.secret, {
    description: "Nomad ACL token (secret ID)"
  }),
  nomadRegion: setting("NOMAD_REGION", "Nomad", Value.text, {
    description: "Nomad region for API calls and jobs (default: the agent's region)"
  }),
  nomadNamespace: setting("NOMAD_NAMESPACE", "Nomad", Value.text, {
    default: "default",
    description: "Nomad namespace used when a request names none; OpenFaaS namespaces are Nomad namespaces"
  }),
  nomadCacert: setting("NOMAD_CACERT", "Nomad", Value.text, {
    description: "PEM file of the CA that signed Nomad's certificate"
  }),
  nomadClientCert: setting("NOMAD_CLIENT_CERT", "Nomad", Value.text, {
    description: "PEM client certificate for mutual TLS with Nomad (with NOMAD_CLIENT_KEY)"
  }),
  nomadClientKey: setting("NOMAD_CLIENT_KEY", "Nomad", Value.text, {
    description: "PEM key of NOMAD_CLIENT_CERT"
  }),
  nomadSkipVerify: setting("NOMAD_SKIP_VERIFY", "Nomad", Value.boolean, {
    default: "false",
    description: "Do not verify Nomad's TLS certificate (tests only)"
  }),
  nomadTlsServerName: setting("NOMAD_TLS_SERVER_NAME", "Nomad", Value.text, {
    description: "Name to verify Nomad's certificate against, e.g. server.global.nomad"
  }),
  consulHttpAddr: setting("CONSUL_HTTP_ADDR", "Consul", Value.baseUrl("http"), {
    default: "127.0.0.1:8500",
    description: "Consul HTTP API address, with or without scheme"
  }),
  consulHttpToken: setting("CONSUL_HTTP_TOKEN", "Consul", Value.secret, {
    description: "Consul ACL token"
  }),
  consulHttpTokenFile: setting("CONSUL_HTTP_TOKEN_FILE", "Consul", Value.text, {
    description: "File holding the Consul ACL token; wins over CONSUL_HTTP_TOKEN"
  }),
  consulHttpSsl: setting("CONSUL_HTTP_SSL", "Consul", Value.boolean, {
    default: "false",
    description: "Talk to Consul over HTTPS"
  }),
  consulHttpSslVerify: setting("CONSUL_HTTP_SSL_VERIFY", "Consul", Value.boolean, {
    default: "true",
    description: "Verify Consul's TLS certificate (false only for tests)"
  }),
  consulCacert: setting("CONSUL_CACERT", "Consul", Value.text, {
    description: "PEM file of the CA that signed Consul's certificate"
  }),
  consulClientCert: setting("CONSUL_CLIENT_CERT", "Consul", Value.text, {
    description: "PEM client certificate for mutual TLS with Consul (with CONSUL_CLIENT_KEY)"
  }),
  consulClientKey: setting("CONSUL_CLIENT_KEY", "Consul", Value.text, {
    description: "PEM key of CONSUL_CLIENT_CERT"
  }),
  consulTlsServerName: setting("CONSUL_TLS_SERVER_NAME", "Consul", Value.text, {
    description: "Name to verify Consul's certificate against"
  }),
  vaultAddr: setting("VAULT_ADDR", "Vault", Value.baseUrl("https"), {
    default: "https://127.0.0.1:8200",
    description: "Vault HTTP API address"
  }),
  vaultToken: setting("VAULT_TOKEN", "Vault", Value.secret, {
    description: "Vault token"
  }),
  vaultNamespace: setting("VAULT_NAMESPACE", "Vault", Value.text, {
    description: "Vault Enterprise namespace for every call"
  }),
  vaultCacert: setting("VAULT_CACERT", "Vault", Value.text, {
    description: "PEM file of the CA that signed Vault's certificate"
  }),
  vaultClientCert: setting("VAULT_CLIENT_CERT", "Vault", Value.text, {
    description: "PEM client certificate for mutual TLS with Vault (with VAULT_CLIENT_KEY)"
  }),
  vaultClientKey: setting("VAULT_CLIENT_KEY", "Vault", Value.text, {
    description: "PEM key of VAULT_CLIENT_CERT"
  }),
  vaultSkipVerify: setting("VAULT_SKIP_VERIFY", "Vault", Value.boolean, {
    default: "false",
    description: "Do not verify Vault's TLS certificate (false means verify; tests only)"
  }),
  vaultTlsServerName: setting("VAULT_TLS_SERVER_NAME", "Vault", Value.text, {
    description: "Name to verify Vault's certificate against"
  }),
  logLevel: setting("log_level", "Telemetry", Value.oneOf(["debug", "info", "warn", "error"]), {
    default: "info",
    description: "Least severe log lines written"
  }),
  logFormat: setting("log_format", "Telemetry", Value.oneOf(["text", "logfmt", "json"]), {
    default: "text",
    description: "Log lines for people (text), or structured: logfmt or json"
  }),
  otelExporterOtlpEndpoint: setting("OTEL_EXPORTER_OTLP_ENDPOINT", "Telemetry", Value.baseUrl("http"), {
    description: "OTLP/HTTP collector base URL (traces go to <url>/v1/traces); unset, with the next, turns tracing off"
  }),
  otelExporterOtlpTracesEndpoint: setting("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "Telemetry", Value.baseUrl("http"), {
    description: "Full OTLP/HTTP URL for traces; wins over OTEL_EXPORTER_OTLP_ENDPOINT"
  }),
  otelExporterOtlpProtocol: setting(
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "Telemetry",
    Value.oneOf(["http/protobuf", "http/json"]),
    {
      default: "http/protobuf",
      description: "OTLP encoding: http/protobuf or http/json"
    }
  ),
  otelExporterOtlpHeaders: setting("OTEL_EXPORTER_OTLP_HEADERS", "Telemetry", Value.secret, {
    description: "Headers for the collector, key=value,key=value (e.g. an API key)"
  }),
  otelServiceName: setting("OTEL_SERVICE_NAME", "Telemetry", Value.text, {
    default: "faas-nomad",
    description: "service.name of the provider's spans"
  }),
  otelTracesSampler: setting(
    "OTEL_TRACES_SAMPLER",
    "Telemetry",
    Value.oneOf([
      "always_on",
      "always_off",
      "traceidratio",
      "parentbased_always_on",
      "parentbased_always_off",
      "parentbased_traceidratio"
    ]),
    { default: "parentbased_always_on", description: "Which traces are recorded" }
  ),
  otelTracesSamplerArg: setting("OTEL_TRACES_SAMPLER_ARG", "Telemetry", Value.ratio, {
    default: "1",
    description: "Ratio for the traceidratio samplers, 0 to 1"
  }),
  otelBspScheduleDelay: setting("OTEL_BSP_SCHEDULE_DELAY", "Telemetry", Value.positiveInteger, {
    default: "5000",
    description: "Milliseconds between span exports"
  }),
  statsdAddr: setting("statsd_addr", "Telemetry", Value.hostPort, {
    description: "StatsD UDP target host:port; unset turns StatsD off"
  }),
  statsdTags: setting("statsd_tags", "Telemetry", Value.boolean, {
    default: "true",
    description: "DogStatsD tags (|#job:fn,namespace:ns); false puts namespace and function in the metric name"
  })
} as const

export type Settings = typeof settings
export type SettingKey = keyof Settings

type ValueOf<S> = S extends Setting<infer A, any> ? A : never

/** The parsed configuration: one field per setting; settings without a default may be undefined. */
export type ProviderSettings = {
  readonly [K in SettingKey]: Settings[K]["default"] extends string ? ValueOf<Settings[K]>
    : ValueOf<Settings[K]> | undefined
}
