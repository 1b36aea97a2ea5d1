/**
 * Kubernetes resource quantities (`128Mi`, `500m`, `1.5`, `2e3`), the syntax
 * OpenFaaS `limits` and `requests` use, read into plain numbers of base units.
 */

const suffixes: Record<string, number> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60
}

const quantityPattern = /^(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/

/** The value in base units (cores, bytes, devices), or `undefined` if `text` is not a quantity. */
export const parseQuantity = (text: string): number | undefined => {
  const match = quantityPattern.exec(text.trim())
  if (match === null) return undefined
  const [, digits, exponent, suffix] = match
  if (exponent !== undefined && suffix !== undefined) return undefined
  const value = Number(digits) * (exponent === undefined ? 1 : 10 ** Number(exponent)) * suffixes[suffix ?? ""]!
  return Number.isFinite(value) ? value : undefined
}
