/**
 * The Node and undici error codes of a connection that was never made (refused, unreachable, a name that does
 * not resolve, a connect timeout): nothing was sent, so the request may go elsewhere or be tried again, whatever
 * its method. The invocation proxy and the HTTP client to Nomad, Consul and Vault read failures with it.
 */
export const connectFailures: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT"
])
