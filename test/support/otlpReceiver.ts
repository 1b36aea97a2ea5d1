/**
 * An OTLP/HTTP (JSON) trace receiver on loopback: collects the spans an
 * exporter sends, so tests can check the traces the provider makes.
 */
import { Effect } from "effect"
import { readBody, startSimServer } from "../sim/SimServer.ts"

export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string
  readonly name: string
  readonly kind: number
  readonly attributes: Readonly<Record<string, unknown>>
  readonly service: string
}

interface OtlpValue {
  readonly stringValue?: string
  readonly intValue?: string | number
  readonly boolValue?: boolean
  readonly doubleValue?: number
}
interface OtlpAttribute {
  readonly key: string
  readonly value: OtlpValue
}
interface OtlpExport {
  readonly resourceSpans?: ReadonlyArray<{
    readonly resource?: { readonly attributes?: ReadonlyArray<OtlpAttribute> }
    readonly scopeSpans?: ReadonlyArray<{
      readonly spans?: ReadonlyArray<{
        readonly traceId: string
        readonly spanId: string
        readonly parentSpanId?: string
        readonly name: string
        readonly kind: number
        readonly attributes?: ReadonlyArray<OtlpAttribute>
      }>
    }>
  }>
}

const valueOf = (v: OtlpValue): unknown =>
  v.stringValue ?? (v.intValue === undefined ? undefined : Number(v.intValue)) ?? v.boolValue ?? v.doubleValue
const attributes = (list: ReadonlyArray<OtlpAttribute> = []) =>
  Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]))

export const startOtlpReceiver = Effect.acquireRelease(
  Effect.promise(async () => {
    const spans: Array<ReceivedSpan> = []
    const waiters: Array<() => void> = []
    const server = await startSimServer(async (request, response) => {
      const body = JSON.parse(await readBody(request)) as OtlpExport
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributes(resourceSpans.resource?.attributes)["service.name"] ?? "")
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? "",
              name: span.name,
              kind: span.kind,
              attributes: attributes(span.attributes),
              service
            })
          }
        }
      }
      for (const wake of waiters.splice(0)) wake()
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
    /** Waits for a span the predicate accepts, however many exports it takes. */
    const span = (accept: (span: ReceivedSpan) => boolean) =>
      Effect.promise(async () => {
        for (;;) {
          const found = spans.find(accept)
          if (found !== undefined) return found
          await new Promise<void>((resolve) => waiters.push(resolve))
        }
      })
    return { url: server.url, spans, span, close: () => server.close() }
  }),
  (receiver) => Effect.promise(() => receiver.close())
)
