/**
 * Go's `time.Duration.String`, as Nomad's error texts print a duration with
 * `%v`: `0s`, `500ms`, `1.5µs`, `1m30s`, `10m0s`, `1h0m0s`.
 */

/** `digits`-place fixed point without trailing zeros: `1500, 3` is `1.5`. */
const fixed = (value: number, digits: number): string => {
  const scale = 10 ** digits
  const fraction = String(value % scale).padStart(digits, "0").replace(/0+$/, "")
  return fraction === "" ? String(Math.floor(value / scale)) : `${Math.floor(value / scale)}.${fraction}`
}

export const formatGoDuration = (nanos: number): string => {
  if (nanos === 0) return "0s"
  const sign = nanos < 0 ? "-" : ""
  let rest = Math.abs(nanos)
  if (rest < 1e3) return `${sign}${rest}ns`
  if (rest < 1e6) return `${sign}${fixed(rest, 3)}µs`
  if (rest < 1e9) return `${sign}${fixed(rest, 6)}ms`
  const hours = Math.floor(rest / 3.6e12)
  rest -= hours * 3.6e12
  const minutes = Math.floor(rest / 6e10)
  rest -= minutes * 6e10
  const seconds = `${fixed(rest, 9)}s`
  return sign + (hours > 0 ? `${hours}h${minutes}m${seconds}` : minutes > 0 ? `${minutes}m${seconds}` : seconds)
}
