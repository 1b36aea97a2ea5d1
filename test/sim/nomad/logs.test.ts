import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob, register } from "./testSupport.ts"

let sim: NomadSimulator
let allocId: string
beforeEach(async () => {
  sim = await startNomadSimulator({ logHeartbeatMs: 5 })
  await deploy(sim, functionJob("fn"))
  allocId = sim.state.allocations()[0]!.ID
})
afterEach(() => sim.close())

interface Frame {
  readonly Offset?: number
  readonly Data?: string
  readonly File?: string
}

/** Splits concatenated JSON objects (no separator between them), as a streaming decoder reads them. */
const splitFrames = (text: string): Array<Frame> => {
  const frames: Array<Frame> = []
  let depth = 0
  let start = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === "\\") i++
      else if (c === "\"") inString = false
    } else if (c === "\"") inString = true
    else if (c === "{") {
      if (depth++ === 0) start = i
    } else if (c === "}" && --depth === 0) frames.push(JSON.parse(text.slice(start, i + 1)) as Frame)
  }
  return frames
}

const decode = (frames: ReadonlyArray<Frame>) =>
  frames.map((f) => Buffer.from(f.Data ?? "", "base64").toString("utf8")).join("")

const logsPath = (query: string) => `/v1/client/fs/logs/${allocId}?task=fn&${query}`

/** Reads a followed stream until `done` holds for what arrived, or the stream ends. */
const readStream = async (path: string, done: (text: string) => boolean, onOpen: () => void = () => {}) => {
  const response = await fetch(`${sim.url}${path}`)
  const reader = response.body!.getReader()
  onOpen()
  let text = ""
  let ended = false
  while (!done(text)) {
    const chunk = await reader.read()
    if (chunk.done) {
      ended = true
      break
    }
    text += Buffer.from(chunk.value).toString("utf8")
  }
  if (!ended) await reader.cancel()
  return { response, text, ended }
}

describe("allocation logs", () => {
  it("answers the documented 400s and 404s before any body", async () => {
    const expectText = async (path: string, status: number, text: string) => {
      const answer = await call(sim, "GET", path)
      expect({ status: answer.status, text: answer.text }).toEqual({ status, text })
    }
    await expectText(`/v1/client/fs/logs/${allocId}?type=stdout`, 400, "must provide task name")
    await expectText(logsPath("type=stdin"), 400, "must provide log type (stdout/stderr)")
    await expectText(
      logsPath("type=stdout&follow=maybe"),
      400,
      `failed to parse follow field to boolean: strconv.ParseBool: parsing "maybe": invalid syntax`
    )
    await expectText(
      logsPath("type=stdout&plain=x"),
      400,
      `failed to parse plain field to boolean: strconv.ParseBool: parsing "x": invalid syntax`
    )
    await expectText(
      logsPath("type=stdout&offset=x"),
      400,
      `error parsing offset: strconv.ParseInt: parsing "x": invalid syntax`
    )
    await expectText(logsPath("type=stdout&origin=middle"), 400, "origin must be start or end")
    await expectText("/v1/client/fs/logs/nope?task=fn&type=stdout", 404, `Unknown allocation "nope"`)
    await expectText(`/v1/client/fs/logs/${allocId}?task=other&type=stdout`, 400, `unknown task name "other"`)
    await expectText("/v1/client/fs/logs/", 400, "must provide a valid alloc id")
  })

  it("refuses logs of a task that has not started", async () => {
    let start: () => void = () => {}
    await sim.close()
    sim = await startNomadSimulator({
      driver: {
        start: () => new Promise((resolve) => (start = () => resolve({ address: "127.0.0.1", port: 1 }))),
        stop: () => Promise.resolve()
      }
    })
    await register(sim, functionJob("fn"))
    const placed = await call(sim, "GET", "/v1/job/fn/allocations?index=1&wait=60s")
    const answer = await call(sim, "GET", `/v1/client/fs/logs/${placed.json[0].ID}?task=fn&type=stdout`)
    expect({ status: answer.status, text: answer.text }).toEqual({
      status: 404,
      text: `task "fn" not started yet. No logs available`
    })
    start()
  })

  it("frames what is there as concatenated StreamFrames and ends without follow", async () => {
    sim.state.appendLog(allocId, "fn", "stdout", "hello\n")
    sim.state.appendLog(allocId, "fn", "stdout", "world\n")
    sim.state.appendLog(allocId, "fn", "stderr", "oops\n")
    const answer = await call(sim, "GET", logsPath("type=stdout"))
    expect(answer.headers.get("content-type")).toBe("application/json")
    expect(answer.text.startsWith(`{"Offset":12,"Data":"`)).toBe(true)
    const frames = splitFrames(answer.text)
    expect(frames).toEqual([{
      Offset: 12,
      Data: Buffer.from("hello\nworld\n").toString("base64"),
      File: "alloc/logs/fn.stdout.0"
    }])
    expect(decode(splitFrames((await call(sim, "GET", logsPath("type=stderr"))).text))).toBe("oops\n")
  })

  it("starts at an offset from the start or the end, and answers raw bytes with plain=true", async () => {
    sim.state.appendLog(allocId, "fn", "stdout", "0123456789")
    expect(decode(splitFrames((await call(sim, "GET", logsPath("type=stdout&offset=7"))).text))).toBe("789")
    const tail = splitFrames((await call(sim, "GET", logsPath("type=stdout&origin=end&offset=3"))).text)
    expect(tail).toEqual([{ Offset: 10, Data: Buffer.from("789").toString("base64"), File: "alloc/logs/fn.stdout.0" }])
    const plain = await call(sim, "GET", logsPath("type=stdout&plain=true"))
    expect(plain.headers.get("content-type")).toBe("text/plain")
    expect(plain.text).toBe("0123456789")
  })

  it("follows: streams new output as it is appended, with {} heartbeats between", async () => {
    sim.state.appendLog(allocId, "fn", "stdout", "first\n")
    const { text, ended } = await readStream(
      logsPath("type=stdout&follow=true"),
      (t) => decode(splitFrames(t)).includes("second") && t.endsWith("{}"),
      () => sim.state.appendLog(allocId, "fn", "stdout", "second\n")
    )
    expect(ended).toBe(false)
    const frames = splitFrames(text)
    expect(decode(frames)).toBe("first\nsecond\n")
    expect(frames.filter((f) => f.Data !== undefined).map((f) => f.Offset)).toEqual([6, 13])
    expect(frames.some((f) => Object.keys(f).length === 0)).toBe(true)
    expect(text).not.toContain("\n{")
  })

  it("ends a followed stream when the allocation stops", async () => {
    sim.state.appendLog(allocId, "fn", "stdout", "bye\n")
    const { text, ended } = await readStream(
      logsPath("type=stdout&follow=true"),
      () => false,
      () => sim.state.failAllocation(allocId, "exit 1")
    )
    expect(ended).toBe(true)
    expect(decode(splitFrames(text))).toBe("bye\n")
  })
})
