/**
 * OpenFaaS `requests` and `limits` (Kubernetes quantities) as Nomad task
 * resources. Requests reserve, limits cap: memory requested becomes
 * `MemoryMB` and a larger memory limit becomes `MemoryMaxMB`; with only a
 * limit, it is both. CPU cores become MHz at 1000 MHz a core, or are given in
 * MHz directly (`500MHz`). GPUs become device requests.
 */
import type { FunctionResources } from "../domain/FunctionDeployment.ts"
import type { RequestedDevice, Resources } from "../nomad/Job.ts"
import { quoted } from "../schema/problemText.ts"
import { parseQuantity } from "./quantity.ts"

export const defaultCpuMhz = 100
export const defaultMemoryMb = 128
/** Nomad refuses less than this. */
export const minimumMemoryMb = 10
export const minimumCpuMhz = 1
export const mhzPerCore = 1000

const mib = 2 ** 20

const gpuDevices: ReadonlyArray<readonly [keyof FunctionResources, string]> = [
  ["nvidia.com/gpu", "nvidia/gpu"],
  ["amd.com/gpu", "amd/gpu"],
  ["intel.com/gpu", "intel/gpu"]
]

interface Parsed {
  readonly value: number | undefined
  readonly problem: string | undefined
}

const parseCpuMhz = (field: string, text: string | undefined): Parsed => {
  if (text === undefined) return { value: undefined, problem: undefined }
  const mhz = /^\s*(\d+)\s*MHz\s*$/i.exec(text)
  const cores = mhz === null ? parseQuantity(text) : undefined
  if (mhz === null && (cores === undefined || cores <= 0 || cores > 1e6)) {
    return { value: undefined, problem: `${field}: ${quoted(text)} is not a CPU quantity such as 500m, 2 or 800MHz` }
  }
  // Quantities are decimal and doubles are not: 700m is 0.7000000000000001 cores. Round off that dust before
  // rounding up, so 700m is 700 MHz and not 701.
  const value = mhz !== null ? Number(mhz[1]) : Math.ceil(Number((cores! * mhzPerCore).toPrecision(12)))
  return { value: Math.max(minimumCpuMhz, value), problem: undefined }
}

const parseMemoryMb = (field: string, text: string | undefined): Parsed => {
  if (text === undefined) return { value: undefined, problem: undefined }
  const bytes = parseQuantity(text)
  if (bytes === undefined || bytes <= 0 || bytes > 2 ** 60) {
    return { value: undefined, problem: `${field}: ${quoted(text)} is not a memory quantity such as 128Mi or 1Gi` }
  }
  return { value: Math.max(minimumMemoryMb, Math.ceil(bytes / mib)), problem: undefined }
}

export interface TaskResources {
  readonly resources: Resources
  readonly problems: ReadonlyArray<string>
}

export const toTaskResources = (
  requests: FunctionResources | null | undefined,
  limits: FunctionResources | null | undefined
): TaskResources => {
  const cpuRequest = parseCpuMhz("requests.cpu", requests?.cpu)
  const cpuLimit = parseCpuMhz("limits.cpu", limits?.cpu)
  const memoryRequest = parseMemoryMb("requests.memory", requests?.memory)
  const memoryLimit = parseMemoryMb("limits.memory", limits?.memory)
  const problems = [cpuRequest, cpuLimit, memoryRequest, memoryLimit].flatMap((p) => p.problem ?? [])

  const devices: Array<RequestedDevice> = []
  for (const [key, device] of gpuDevices) {
    const text = limits?.[key] ?? requests?.[key]
    if (text === undefined) continue
    const count = parseQuantity(text)
    if (count === undefined || !Number.isInteger(count) || count < 1 || count > 1024) {
      problems.push(`limits.${key}: ${quoted(text)} is not a whole number of devices`)
    } else {
      devices.push({ Name: device, Count: count })
    }
  }

  const memoryMb = memoryRequest.value ?? memoryLimit.value ?? defaultMemoryMb
  if (memoryRequest.value !== undefined && memoryLimit.value !== undefined && memoryLimit.value < memoryRequest.value) {
    problems.push(
      `limits.memory: ${quoted(limits?.memory ?? "")} is less than requests.memory ${quoted(requests?.memory ?? "")}`
    )
  }
  const memoryMaxMb = memoryRequest.value !== undefined && memoryLimit.value !== undefined &&
      memoryLimit.value > memoryRequest.value
    ? memoryLimit.value
    : undefined

  return {
    resources: {
      CPU: cpuRequest.value ?? cpuLimit.value ?? defaultCpuMhz,
      MemoryMB: memoryMb,
      ...(memoryMaxMb === undefined ? {} : { MemoryMaxMB: memoryMaxMb }),
      ...(devices.length === 0 ? {} : { Devices: devices })
    },
    problems
  }
}
