/**
 * Why the provider cannot listen where its settings say, as one line: the
 * address and port, what went wrong in words, Node's code, and the setting
 * that changes it. A taken port is the likeliest first failure of all.
 */
import { settings } from "./settings.ts"
import { StartupError } from "./StartupError.ts"

const portSetting = `${settings.port.env} (${settings.port.flag}, ${settings.port.fallbackEnv})`
const addressSetting = `${settings.bindAddress.env} (${settings.bindAddress.flag})`

const codeOf = (cause: unknown): string | undefined => {
  const code = (cause as { readonly code?: unknown } | null)?.code
  return typeof code === "string" ? code : undefined
}

const reason = (code: string | undefined, host: string, port: number, cause: unknown): string => {
  switch (code) {
    case "EADDRINUSE":
      return `the port is in use by another process (EADDRINUSE); set ${portSetting} to a free one, or stop that process`
    case "EADDRNOTAVAIL":
      return `${host} is not an address of this machine (EADDRNOTAVAIL); set ${addressSetting} to one of its ` +
        "addresses, or 0.0.0.0 for all"
    case "EACCES":
      return port < 1024
        ? `ports below 1024 need root or CAP_NET_BIND_SERVICE (EACCES); set ${portSetting} to 1024 or above`
        : `permission denied (EACCES); set ${portSetting} or ${addressSetting}`
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${host} does not resolve to an address (${code}); set ${addressSetting} to an address of this ` +
        "machine, or 0.0.0.0 for all"
    default: {
      const message = cause instanceof Error ? cause.message : String(cause)
      return `${message}${code === undefined || message.includes(code) ? "" : ` (${code})`}; check ${addressSetting} ` +
        `and ${portSetting}`
    }
  }
}

/** `cause` is what Node's `listen` failed with, binding `host` and `port`. */
export const listenFailure = (cause: unknown, host: string, port: number): StartupError => {
  const where = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`
  return new StartupError({ message: `cannot listen on ${where}: ${reason(codeOf(cause), host, port, cause)}` })
}
