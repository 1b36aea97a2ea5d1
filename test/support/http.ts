/** Small request helpers over the HttpClient that `testApp` points at the provider. */
import { Effect, Tracer } from "effect"
import { HttpBody, HttpClient, HttpClientRequest } from "effect/http"

export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

export const call = (
  method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS",
  path: string,
  body?: unknown,
  headers?: Readonly<Record<string, string>>
) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const request = HttpClientRequest.make(method)(path, {
      ...(headers === undefined ? {} : { headers }),
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? HttpBody.text(body, "application/json") : HttpBody.jsonUnsafe(body) })
    })
    const response = yield* client.execute(request)
    const text = yield* response.text
    return { status: response.status, headers: response.headers, text } satisfies Answer
  }).pipe(
    // The test's own client sends exactly the headers the test gives: no trace context of its own.
    Effect.provideService(Tracer.DisablePropagation, true),
    Effect.orDie
  )

export const json = <A = any>(answer: { readonly text: string }): A => JSON.parse(answer.text) as A
