/**
 * What `GET /v1/client/allocation/:id/stats` returns: the resource usage of an
 * allocation's running tasks summed (`ResourceUsage`), each task's last sample
 * (`Tasks`), and when it was taken (Unix nanoseconds). `CpuStats.Percent` is
 * percent of one core (100 = one core); `TotalTicks` the MHz it stands for.
 */
import { Schema } from "effect"
import { nullable } from "../schema/fields.ts"

export const MemoryStats = Schema.Struct({
  RSS: nullable(Schema.Number),
  Cache: nullable(Schema.Number),
  Swap: nullable(Schema.Number),
  Usage: nullable(Schema.Number),
  MaxUsage: nullable(Schema.Number),
  Measured: nullable(Schema.Array(Schema.String))
})
export type MemoryStats = typeof MemoryStats.Type

export const CpuStats = Schema.Struct({
  SystemMode: nullable(Schema.Number),
  UserMode: nullable(Schema.Number),
  TotalTicks: nullable(Schema.Number),
  ThrottledPeriods: nullable(Schema.Number),
  ThrottledTime: nullable(Schema.Number),
  Percent: nullable(Schema.Number),
  Measured: nullable(Schema.Array(Schema.String))
})
export type CpuStats = typeof CpuStats.Type

export const ResourceUsage = Schema.Struct({
  MemoryStats: nullable(MemoryStats),
  CpuStats: nullable(CpuStats)
})
export type ResourceUsage = typeof ResourceUsage.Type

export const TaskResourceUsage = Schema.Struct({
  ResourceUsage: nullable(ResourceUsage),
  Timestamp: nullable(Schema.Number)
})
export type TaskResourceUsage = typeof TaskResourceUsage.Type

export const AllocResourceUsage = Schema.Struct({
  ResourceUsage: nullable(ResourceUsage),
  Tasks: nullable(Schema.Record(Schema.String, TaskResourceUsage)),
  Timestamp: nullable(Schema.Number)
})
export type AllocResourceUsage = typeof AllocResourceUsage.Type
