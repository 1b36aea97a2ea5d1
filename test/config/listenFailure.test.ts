import { describe, expect, it } from "@effect/vitest"
import { listenFailure } from "../../src/config/listenFailure.ts"

/** An error as Node's `listen` fails with. */
const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code, syscall: "listen" })

describe("listenFailure", () => {
  it("says why a privileged port cannot be bound (a root-run test cannot meet EACCES through the CLI)", () => {
    expect(listenFailure(nodeError("EACCES", "listen EACCES: permission denied 0.0.0.0:80"), "0.0.0.0", 80).message)
      .toBe(
        "cannot listen on 0.0.0.0:80: ports below 1024 need root or CAP_NET_BIND_SERVICE (EACCES); " +
          "set port (--port, PORT) to 1024 or above"
      )
    expect(listenFailure(nodeError("EACCES", "listen EACCES"), "0.0.0.0", 8081).message).toBe(
      "cannot listen on 0.0.0.0:8081: permission denied (EACCES); set port (--port, PORT) or bind_address " +
        "(--bind-address)"
    )
  })

  it("writes an IPv6 address in brackets, and any other failure with Node's words and the settings to check", () => {
    expect(listenFailure(nodeError("EADDRINUSE", "in use"), "::1", 8081).message).toMatch(
      /^cannot listen on \[::1\]:8081: the port is in use/
    )
    expect(listenFailure(nodeError("EINVAL", "listen EINVAL: invalid argument"), "0.0.0.0", 8081).message).toBe(
      "cannot listen on 0.0.0.0:8081: listen EINVAL: invalid argument; check bind_address (--bind-address) and " +
        "port (--port, PORT)"
    )
    expect(listenFailure("odd", "0.0.0.0", 8081).message).toBe(
      "cannot listen on 0.0.0.0:8081: odd; check bind_address (--bind-address) and port (--port, PORT)"
    )
  })
})
