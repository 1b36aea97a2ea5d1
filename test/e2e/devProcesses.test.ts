/** `faas-nomad dev` leaves nothing behind: its functions' processes and directories end when it does, however it ends. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fetchAt, type RunningProvider, startCli } from "../support/cli.ts"
import { eventually } from "../support/eventually.ts"
import { childProcesses, processesRunning, uniqueSleep } from "../support/processes.ts"

/** A function under `provider` whose invocation runs `sleep` in a child shell; `.../where` answers its directory. */
const deployLongRunning = (provider: RunningProvider, sleep: string) =>
  Effect.gen(function*() {
    const folder = mkdtempSync(join(tmpdir(), "faas-nomad-test-long-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(folder, { recursive: true, force: true })))
    const script = join(folder, "long.sh")
    writeFileSync(script, `if [ "$Http_Path" = "/where" ]; then pwd; exit 0; fi\n${sleep}\n`)
    chmodSync(script, 0o755)
    const deployed = yield* fetchAt(provider.url, "POST", "/system/functions", {
      service: "long",
      image: "functions/alpine:latest",
      envProcess: `sh ${script}`
    })
    assert.strictEqual(deployed.status, 202, deployed.text)
    yield* eventually(
      fetchAt(provider.url, "GET", "/system/function/long"),
      (a) => a.status === 200 && JSON.parse(a.text).availableReplicas === 1
    )
    const directory = (yield* fetchAt(provider.url, "GET", "/function/long/where")).text.trim()
    assert.isTrue(existsSync(directory), directory)
    // An invocation that does not end by itself.
    void fetch(`${provider.url}/function/long`, { method: "POST" }).catch(() => {})
    yield* eventually(Effect.sync(() => processesRunning(sleep).length), (n) => n === 1)
    const hosts = childProcesses(provider.pid, "watchdogHost")
    assert.strictEqual(hosts.length, 1)
    return { directory, host: hosts[0]! }
  })

const gone = (sleep: string, directory: string, host: number) =>
  eventually(
    Effect.sync(() => [processesRunning(sleep).length, existsSync(directory), existsSync(`/proc/${host}`)]),
    ([sleeps, dir, alive]) => sleeps === 0 && dir === false && alive === false
  )

describe("faas-nomad dev, ending", () => {
  it.live(
    "SIGKILL: within a few seconds no function process, watchdog host or allocation directory is left",
    () =>
      Effect.gen(function*() {
        const provider = yield* startCli(["dev"], {})
        const sleep = uniqueSleep()
        const { directory, host } = yield* deployLongRunning(provider, sleep)
        yield* Effect.promise(() => provider.signal("SIGKILL"))
        yield* gone(sleep, directory, host)
      }),
    60_000
  )

  it.live(
    "SIGTERM during a long invocation: the provider exits, and its function processes with it",
    () =>
      Effect.gen(function*() {
        const provider = yield* startCli(["dev", "--write-timeout", "1s"], {})
        const sleep = uniqueSleep()
        const { directory, host } = yield* deployLongRunning(provider, sleep)
        assert.strictEqual(yield* Effect.promise(provider.terminate), 0)
        yield* gone(sleep, directory, host)
      }),
    60_000
  )
})
