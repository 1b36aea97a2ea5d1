/**
 * The in-memory cluster's task logs: each allocation's stdout and stderr,
 * kept until the allocation is purged, and read as Nomad's log API serves
 * them: what is there (or its last bytes), then, when followed, what comes
 * until the task stops.
 */
import { Effect, Queue, Stream } from "effect"

export type LogStream = "stdout" | "stderr"

/** One task's stdout or stderr, with the followers waiting for more. */
interface LogFile {
  text: string
  readonly followers: Set<(chunk: string | undefined) => void>
}

export class TaskLogs {
  /** Each allocation's files, by `task/stream`. */
  readonly #files = new Map<string, Map<string, LogFile>>()

  #file(allocId: string, task: string, stream: LogStream): LogFile {
    let files = this.#files.get(allocId)
    if (files === undefined) this.#files.set(allocId, files = new Map())
    let file = files.get(`${task}/${stream}`)
    if (file === undefined) files.set(`${task}/${stream}`, file = { text: "", followers: new Set() })
    return file
  }

  append(allocId: string, task: string, stream: LogStream, text: string): void {
    const file = this.#file(allocId, task, stream)
    file.text += text
    for (const follower of file.followers) follower(text)
  }

  /** A stopped task writes no more: its followers' streams end. */
  close(allocId: string): void {
    for (const file of this.#files.get(allocId)?.values() ?? []) {
      for (const follower of file.followers) follower(undefined)
      file.followers.clear()
    }
  }

  /** Forgets an allocation's logs, as Nomad's garbage collection does. */
  purge(allocId: string): void {
    this.#files.delete(allocId)
  }

  /**
   * The log's bytes (the last `fromEndBytes` of them when given), then, with `follow`, what comes until the
   * task stops. `running` is asked when the stream starts: only a running task's log can be followed.
   */
  read(
    allocId: string,
    task: string,
    stream: LogStream,
    options: { readonly follow: boolean; readonly fromEndBytes?: number | undefined },
    running: () => boolean
  ): Stream.Stream<Uint8Array> {
    return Stream.callback<Uint8Array>((queue) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          const isRunning = running()
          // Only a running task's log is made to be followed; asking about others leaves nothing behind.
          const file = isRunning
            ? this.#file(allocId, task, stream)
            : this.#files.get(allocId)?.get(`${task}/${stream}`)
          const text = file?.text ?? ""
          const history = options.fromEndBytes === undefined ? text : text.slice(-options.fromEndBytes)
          if (history !== "") Queue.offerUnsafe(queue, Buffer.from(history))
          if (!options.follow || file === undefined || !isRunning) {
            Queue.endUnsafe(queue)
            return () => {}
          }
          const follower = (chunk: string | undefined) =>
            chunk === undefined ? Queue.endUnsafe(queue) : Queue.offerUnsafe(queue, Buffer.from(chunk))
          file.followers.add(follower)
          return () => file.followers.delete(follower)
        }),
        (stop) => Effect.sync(stop)
      )
    )
  }
}
