import { afterEach, describe, expect, it } from "@effect/vitest"
import { manualClock, type NomadSimulator, type NomadSimulatorOptions, startNomadSimulator } from "./NomadSimulator.ts"
import { type Answer, call } from "./testSupport.ts"

let sim: NomadSimulator
let clock: ReturnType<typeof manualClock>
const start = async (options: NomadSimulatorOptions = {}) => {
  clock = manualClock()
  sim = await startNomadSimulator({ now: clock.now, ...options })
}
afterEach(() => sim.close())

const lockOp = (path: string, op: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(sim, "PUT", `/v1/var/${path}?${op}`, { body: { Path: path, ...body }, headers })
const acquire = (path: string, lock: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  lockOp(path, "lock-acquire", { Lock: lock, ...extra })
const renew = (path: string, id: string) => lockOp(path, "lock-renew", { Lock: { ID: id } })
const release = (path: string, id: string) => lockOp(path, "lock-release", { Lock: { ID: id } })
const put = (path: string, body: Record<string, unknown>, query = "") =>
  call(sim, "PUT", `/v1/var/${path}${query}`, { body: { Path: path, ...body } })
const statusAndText = (answer: Answer) => ({ status: answer.status, text: answer.text })
const zero = (path: string) => ({
  Namespace: "default",
  Path: path,
  CreateIndex: 0,
  CreateTime: 0,
  ModifyIndex: 0,
  ModifyTime: 0
})

describe("variable locks", () => {
  it("acquire creates the variable with a lock, Nomad's defaults and an ID, and reads show it", async () => {
    await start()
    const acquired = await acquire("leader", {}, { Items: { holder: "a" } })
    expect(acquired.status).toBe(200)
    expect(Object.keys(acquired.json)).toEqual([
      "Namespace",
      "Path",
      "Lock",
      "CreateIndex",
      "CreateTime",
      "ModifyIndex",
      "ModifyTime",
      "Items"
    ])
    expect(Object.keys(acquired.json.Lock)).toEqual(["TTL", "LockDelay", "ID"])
    expect(acquired.json.Lock).toMatchObject({ TTL: "15s", LockDelay: "15s" })
    expect(acquired.json.Lock.ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(acquired.json.ModifyTime).toBe(clock.now() * 1_000_000)
    expect(acquired.headers.get("x-nomad-index")).toBe(String(acquired.json.ModifyIndex))
    // Without ACLs every caller is management, and management sees the lock.
    expect((await call(sim, "GET", "/v1/var/leader")).json).toEqual(acquired.json)
    const [listed] = (await call(sim, "GET", "/v1/vars?prefix=lead")).json
    expect(listed.Lock).toEqual(acquired.json.Lock)
    expect(listed).not.toHaveProperty("Items")
  })

  it("keeps the caller's TTL, delay (Go durations or nanoseconds) and ID, and a lock needs no items", async () => {
    await start()
    const acquired = await acquire("leader", { TTL: "1m30s", LockDelay: 2_500_000_000, ID: "replica-a" })
    expect(acquired.json.Lock).toEqual({ TTL: "1m30s", LockDelay: "2.5s", ID: "replica-a" })
    expect(acquired.json).not.toHaveProperty("Items")
    const zeroDelay = await acquire("other", { TTL: "10s", LockDelay: "0s" })
    expect(zeroDelay.json.Lock).toMatchObject({ TTL: "10s", LockDelay: "15s" })
  })

  it("answers a lock held by another with 409, a zero variable and no index; its holder may acquire again", async () => {
    await start()
    const first = await acquire("leader", { ID: "a" })
    const second = await acquire("leader", { ID: "b" })
    expect(second.status).toBe(409)
    expect(second.json).toEqual(zero("leader"))
    expect(second.headers.get("x-nomad-index")).toBeNull()
    const again = await acquire("leader", { ID: "a" }, { Items: { v: "2" } })
    expect(again.status).toBe(200)
    expect(again.json.ModifyIndex).toBeGreaterThan(first.json.ModifyIndex)
    expect(again.json.CreateIndex).toBe(first.json.CreateIndex)
  })

  it("replaces the items on acquire: none given leaves none", async () => {
    await start()
    await put("leader", { Items: { kept: "no" } })
    await acquire("leader", { ID: "a" })
    const read = await call(sim, "GET", "/v1/var/leader")
    expect(read.json).not.toHaveProperty("Items")
    expect(read.json.Lock.ID).toBe("a")
  })

  it("refuses writes and deletes of a locked variable without its lock ID; a write with it keeps the lock", async () => {
    await start()
    const acquired = await acquire("leader", { ID: "a", TTL: "20s" })
    const plain = await put("leader", { Items: { v: "1" } })
    expect(plain.status).toBe(409)
    expect(plain.json).toEqual(zero("leader"))
    expect(plain.headers.get("x-nomad-index")).toBe("0")
    expect((await put("leader", { Items: { v: "1" }, Lock: { ID: "b" } })).status).toBe(409)
    const stale = await put("leader", { Items: { v: "1" } }, "?cas=1")
    expect(stale.json.Lock).toEqual(acquired.json.Lock)

    const holder = await put("leader", { Items: { v: "1" }, Lock: { ID: "a" } })
    expect(holder.status).toBe(200)
    // Canonicalized like a new lock: the stored TTL and delay become the 15 s defaults.
    expect(holder.json.Lock).toEqual({ TTL: "15s", LockDelay: "15s", ID: "a" })
    expect(holder.json.Items).toEqual({ v: "1" })
    const settings = await put("leader", { Items: { v: "1" }, Lock: { ID: "a", TTL: "20s" } })
    expect(statusAndText(settings)).toEqual({
      status: 400,
      text: "RPC Error:: 400,RPC Error:: 400,variable should not contain lock definition"
    })

    // A DELETE carries no lock ID: not even the holder can delete before releasing.
    const deleted = await call(sim, "DELETE", "/v1/var/leader")
    expect(deleted.status).toBe(409)
    expect(deleted.json).toEqual(zero("leader"))
    expect((await call(sim, "DELETE", `/v1/var/leader?cas=${holder.json.ModifyIndex}`)).json).toEqual(zero("leader"))
    expect((await release("leader", "a")).status).toBe(200)
    expect((await call(sim, "DELETE", "/v1/var/leader")).status).toBe(204)
  })

  it("refuses check-and-set with a lock operation, two operations at once, and TTLs out of bounds", async () => {
    await start()
    const refused = async (answer: Promise<Answer>, text: string) =>
      expect(statusAndText(await answer)).toEqual({ status: 400, text })
    await refused(
      call(sim, "PUT", "/v1/var/x?lock-acquire&cas=0", { body: {} }),
      "CAS can't be used with lock operations"
    )
    await refused(call(sim, "PUT", "/v1/var/x?lock-acquire&lock-release", { body: {} }), "multiple lock operations")
    const ttl = "TTL must be between 10 seconds and 24 hours"
    await refused(acquire("x", { TTL: "9s" }), `RPC Error:: 400,1 error occurred:\n\t* ${ttl}\n\n`)
    await refused(acquire("x", { TTL: "24h0m1s" }), `RPC Error:: 400,1 error occurred:\n\t* ${ttl}\n\n`)
    await refused(
      acquire("x", { TTL: "-1s" }),
      `RPC Error:: 400,2 errors occurred:\n\t* Lock delay and TTL must be positive\n\t* ${ttl}\n\n`
    )
    await refused(acquire("x", { TTL: "soon" }), `time: invalid duration "soon"`)
    await refused(acquire("x", { LockDelay: "10" }), `time: missing unit in duration "10"`)
    await refused(acquire("bad path"), `RPC Error:: 400,invalid path "bad path"`)
    await refused(call(sim, "PUT", "/v1/var/x?lock-acquire"), "Request body is empty")
    expect(sim.state.variables()).toEqual([])
  })

  it("accepts a shorter TTL only when the simulator is told to (real Nomad never does)", async () => {
    await start({ minLockTtlMs: 1000 })
    expect((await acquire("leader", { TTL: "1s", LockDelay: "1ms" })).json.Lock).toMatchObject({ TTL: "1s" })
    expect((await acquire("other", { TTL: "999ms" })).status).toBe(400)
  })

  it("renews with the lock ID, answering the metadata and no index; anything else is refused", async () => {
    await start()
    const acquired = await acquire("leader", { ID: "a" }, { Items: { v: "1" } })
    const renewed = await renew("leader", "a")
    expect(renewed.status).toBe(200)
    const { Items: _items, ...metadata } = acquired.json
    expect(renewed.json).toEqual(metadata)
    expect(renewed.headers.get("x-nomad-index")).toBeNull()
    expect(statusAndText(await renew("leader", "b"))).toEqual({
      status: 409,
      text: "attempting to modify locked variable"
    })
    expect(statusAndText(await lockOp("leader", "lock-renew", {}))).toEqual({
      status: 500,
      text: "1 error occurred:\n\t* missing lock ID\n\n"
    })
    expect(statusAndText(await renew("none", "a"))).toEqual({ status: 404, text: "variable doesn't exist" })
    await put("plain", { Items: { v: "1" } })
    expect(statusAndText(await renew("plain", "a"))).toEqual({ status: 409, text: "variable doesn't hold a lock" })
  })

  it("loses a lock not renewed within twice its TTL, and keeps it from anyone for the lock delay", async () => {
    await start()
    const acquired = await acquire("leader", { ID: "a", TTL: "10s", LockDelay: "5s" }, { Items: { v: "1" } })
    clock.advance(19_999)
    expect((await renew("leader", "a")).status).toBe(200)
    clock.advance(19_999)
    expect((await renew("leader", "a")).status).toBe(200)
    clock.advance(20_000)
    expect(statusAndText(await renew("leader", "a"))).toEqual({
      status: 409,
      text: "attempting to modify locked variable"
    })
    expect((await acquire("leader", { ID: "b" })).status).toBe(409)
    clock.advance(4_999)
    expect((await acquire("leader", { ID: "b" })).status).toBe(409)
    clock.advance(1)
    const [released] = sim.state.variables()
    expect(released).not.toHaveProperty("Lock")
    expect(released?.Items).toEqual({ v: "1" })
    expect(released?.ModifyTime).toBe(acquired.json.ModifyTime)
    expect(released!.ModifyIndex).toBeGreaterThan(acquired.json.ModifyIndex)
    expect(statusAndText(await renew("leader", "a"))).toEqual({ status: 409, text: "variable doesn't hold a lock" })
    expect((await acquire("leader", { ID: "b" })).json.Lock.ID).toBe("b")
  })

  it("releases with the holder's ID at once, keeping the items; anything else is refused", async () => {
    await start()
    const acquired = await acquire("leader", { ID: "a" }, { Items: { v: "1" } })
    const wrong = await release("leader", "b")
    expect(wrong.status).toBe(409)
    expect(wrong.json).toEqual(zero("leader"))
    expect(wrong.headers.get("x-nomad-index")).toBeNull()
    clock.advance(1000)
    const released = await release("leader", "a")
    expect(released.status).toBe(200)
    expect(released.json).toEqual({
      Namespace: "default",
      Path: "leader",
      CreateIndex: acquired.json.CreateIndex,
      CreateTime: acquired.json.CreateTime,
      ModifyIndex: released.json.ModifyIndex,
      ModifyTime: acquired.json.ModifyTime
    })
    expect(released.headers.get("x-nomad-index")).toBe(String(released.json.ModifyIndex))
    expect((await call(sim, "GET", "/v1/var/leader")).json.Items).toEqual({ v: "1" })
    expect(statusAndText(await release("leader", "a"))).toEqual({ status: 500, text: "variable doesn't hold a lock" })
    expect(statusAndText(await release("none", "a"))).toEqual({ status: 500, text: "variable doesn't exist" })
    expect(statusAndText(await lockOp("leader", "lock-release", {}))).toEqual({
      status: 400,
      text: "RPC Error:: 400,missing lock information"
    })
    expect(statusAndText(await lockOp("leader", "lock-release", { Lock: { ID: "a" }, Items: {} }))).toEqual({
      status: 400,
      text: "RPC Error:: 400,lock release operation doesn't take variable items"
    })
    // Released, not expired: no lock delay.
    expect((await acquire("leader", { ID: "b" })).status).toBe(200)
  })

  it("strips whatever lock the variable holds when an expired lock's delay ends, as Nomad's timer does", async () => {
    await start()
    await acquire("leader", { ID: "a", TTL: "10s", LockDelay: "10s" })
    clock.advance(20_000)
    // The expired holder may still release during the delay, and another acquire...
    expect((await release("leader", "a")).status).toBe(200)
    expect((await acquire("leader", { ID: "b" })).status).toBe(200)
    clock.advance(10_000)
    // ...but the delay's end releases the variable regardless, and b's renewal finds no lock.
    expect(statusAndText(await renew("leader", "b"))).toEqual({ status: 409, text: "variable doesn't hold a lock" })
  })

  it("wakes a blocking read of the variable when the delay releases it, with no other request", async () => {
    await start()
    const acquired = await acquire("leader", { TTL: "10s", LockDelay: "1ms" }, { Items: { v: "1" } })
    const watch = call(sim, "GET", `/v1/var/leader?index=${acquired.json.ModifyIndex}&wait=10s`)
    // Once the simulator has the read, it waits for a change; only then does time pass.
    while (sim.server.count(/^GET \/v1\/var\/leader$/) === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    clock.advance(20_001)
    const woken = await watch
    expect(woken.status).toBe(200)
    expect(woken.json).not.toHaveProperty("Lock")
    expect(woken.json.ModifyIndex).toBeGreaterThan(acquired.json.ModifyIndex)
  })

  it("hides the lock from tokens that are not management, except in the holder's own answers", async () => {
    await start({
      acl: { managementToken: "root", tokens: { app: { namespaces: ["default"], write: true } } }
    })
    const app = { "x-nomad-token": "app" }
    const acquired = await lockOp("leader", "lock-acquire", { Lock: { ID: "a" } }, app)
    expect(acquired.json.Lock.ID).toBe("a")
    expect((await call(sim, "GET", "/v1/var/leader", { headers: app })).json).not.toHaveProperty("Lock")
    expect((await call(sim, "GET", "/v1/vars", { headers: app })).json[0]).not.toHaveProperty("Lock")
    expect((await call(sim, "GET", "/v1/var/leader", { headers: { "x-nomad-token": "root" } })).json.Lock.ID).toBe("a")
    expect((await lockOp("leader", "lock-renew", { Lock: { ID: "a" } }, app)).json.Lock.ID).toBe("a")
    expect((await lockOp("leader", "lock-acquire", {})).status).toBe(403)
  })
})
