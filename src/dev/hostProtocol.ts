/**
 * What the provider and the watchdog host (`watchdogHost.ts`) say to each other over the host's IPC channel,
 * one message per allocation event.
 */

/** Provider to host. */
export type ToHost =
  | {
    readonly type: "start"
    readonly id: string
    readonly env: Readonly<Record<string, string>>
    readonly cwd: string
    readonly maxHeaderSize: number
  }
  | { readonly type: "stop"; readonly id: string; readonly graceMillis: number }

/** Host to provider. */
export type FromHost =
  | { readonly type: "listening"; readonly id: string; readonly port: number }
  | { readonly type: "failed"; readonly id: string; readonly message: string }
  | { readonly type: "stopped"; readonly id: string }
  | { readonly type: "log"; readonly id: string; readonly stream: "stdout" | "stderr"; readonly text: string }
  /** A process group the instance's function started (`live`), or one now empty. */
  | { readonly type: "group"; readonly id: string; readonly pid: number; readonly live: boolean }
