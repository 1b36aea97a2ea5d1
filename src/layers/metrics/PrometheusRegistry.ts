/**
 * A small Prometheus registry: counters and histograms with labels, updated
 * synchronously (the invocation hot path records into it) and rendered in
 * the text exposition format. A series is created once per label set and
 * kept by its caller, so recording is an increment.
 */
import type { Gauge } from "../../services/Metrics.ts"

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, "\\\"")

const labelText = (names: ReadonlyArray<string>, values: ReadonlyArray<string>) =>
  names.length === 0 ? "" : `{${names.map((n, i) => `${n}="${escapeLabel(values[i] ?? "")}"`).join(",")}}`

export interface CounterSeries {
  inc(by?: number): void
}

export interface HistogramSeries {
  observe(value: number): void
}

export interface GaugeSeries {
  set(value: number): void
}

interface Family {
  readonly name: string
  readonly help: string
  readonly type: "counter" | "histogram" | "gauge"
  render(lines: Array<string>): void
  remove(match: (values: ReadonlyArray<string>) => boolean): void
}

/** Prometheus' default buckets, in seconds. */
export const defaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export class PrometheusRegistry {
  private readonly families: Array<Family> = []

  counter(name: string, help: string, labelNames: ReadonlyArray<string>) {
    const series = new Map<string, { readonly values: ReadonlyArray<string>; count: number }>()
    this.families.push({
      name,
      help,
      type: "counter",
      render: (lines) => {
        for (const s of series.values()) lines.push(`${name}${labelText(labelNames, s.values)} ${s.count}`)
      },
      remove: (match) => {
        for (const [key, s] of series) if (match(s.values)) series.delete(key)
      }
    })
    return (...values: ReadonlyArray<string>): CounterSeries => {
      const key = values.join("\u0000")
      let s = series.get(key)
      if (s === undefined) series.set(key, s = { values, count: 0 })
      const found = s
      return {
        inc: (by = 1) => {
          found.count += by
        }
      }
    }
  }

  /** A gauge set as things change, unlike the ones computed at scrape time that `render` is given. */
  gauge(name: string, help: string, labelNames: ReadonlyArray<string>) {
    const series = new Map<string, { readonly values: ReadonlyArray<string>; value: number }>()
    this.families.push({
      name,
      help,
      type: "gauge",
      render: (lines) => {
        for (const s of series.values()) lines.push(`${name}${labelText(labelNames, s.values)} ${s.value}`)
      },
      remove: (match) => {
        for (const [key, s] of series) if (match(s.values)) series.delete(key)
      }
    })
    return (...values: ReadonlyArray<string>): GaugeSeries => {
      const key = values.join("\u0000")
      return {
        set: (value) => {
          const s = series.get(key)
          if (s === undefined) series.set(key, { values, value })
          else s.value = value
        }
      }
    }
  }

  histogram(
    name: string,
    help: string,
    labelNames: ReadonlyArray<string>,
    buckets: ReadonlyArray<number> = defaultBuckets
  ) {
    const series = new Map<
      string,
      { readonly values: ReadonlyArray<string>; readonly counts: Array<number>; sum: number; count: number }
    >()
    this.families.push({
      name,
      help,
      type: "histogram",
      render: (lines) => {
        for (const s of series.values()) {
          let cumulative = 0
          buckets.forEach((bound, i) => {
            cumulative += s.counts[i]!
            lines.push(`${name}_bucket${labelText([...labelNames, "le"], [...s.values, String(bound)])} ${cumulative}`)
          })
          lines.push(`${name}_bucket${labelText([...labelNames, "le"], [...s.values, "+Inf"])} ${s.count}`)
          lines.push(`${name}_sum${labelText(labelNames, s.values)} ${s.sum}`)
          lines.push(`${name}_count${labelText(labelNames, s.values)} ${s.count}`)
        }
      },
      remove: (match) => {
        for (const [key, s] of series) if (match(s.values)) series.delete(key)
      }
    })
    return (...values: ReadonlyArray<string>): HistogramSeries => {
      const key = values.join("\u0000")
      let s = series.get(key)
      if (s === undefined) series.set(key, s = { values, counts: buckets.map(() => 0), sum: 0, count: 0 })
      const found = s
      return {
        observe: (value) => {
          found.sum += value
          found.count++
          for (let i = 0; i < buckets.length; i++) {
            if (value <= buckets[i]!) {
              found.counts[i]!++
              return
            }
          }
        }
      }
    }
  }

  /** Drops every series whose label values match, e.g. a deleted function's; only in the families named, if given. */
  remove(match: (values: ReadonlyArray<string>) => boolean, families?: ReadonlyArray<string>): void {
    for (const family of this.families) {
      if (families === undefined || families.includes(family.name)) family.remove(match)
    }
  }

  /** The text exposition format, with gauges computed at scrape time appended. */
  render(gauges: ReadonlyArray<Gauge> = []): string {
    const lines: Array<string> = []
    for (const family of this.families) {
      lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`)
      family.render(lines)
    }
    for (const gauge of gauges) {
      lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`)
      for (const sample of gauge.samples) {
        lines.push(`${gauge.name}${labelText(gauge.labelNames, sample.labels)} ${sample.value}`)
      }
    }
    return `${lines.join("\n")}\n`
  }
}
