/** What `GET /v1/job/:id/allocations` returns for each allocation: placement, client state and health. */
import { Schema } from "effect"
import { nullable } from "../schema/fields.ts"

export const TaskEvent = Schema.Struct({
  Type: nullable(Schema.String),
  Time: nullable(Schema.Number),
  DisplayMessage: nullable(Schema.String),
  Message: nullable(Schema.String),
  DriverError: nullable(Schema.String)
})

export const TaskState = Schema.Struct({
  State: nullable(Schema.String),
  Failed: nullable(Schema.Boolean),
  Restarts: nullable(Schema.Number),
  StartedAt: nullable(Schema.String),
  FinishedAt: nullable(Schema.String),
  Events: nullable(Schema.Array(TaskEvent))
})
export type TaskState = typeof TaskState.Type

export const AllocDeploymentStatus = Schema.Struct({
  Healthy: nullable(Schema.Boolean),
  Canary: nullable(Schema.Boolean)
})

export const AllocationListStub = Schema.Struct({
  ID: Schema.String,
  Name: nullable(Schema.String),
  Namespace: nullable(Schema.String),
  NodeID: nullable(Schema.String),
  NodeName: nullable(Schema.String),
  JobID: Schema.String,
  JobVersion: nullable(Schema.Number),
  TaskGroup: nullable(Schema.String),
  DesiredStatus: nullable(Schema.String),
  ClientStatus: nullable(Schema.String),
  ClientDescription: nullable(Schema.String),
  DeploymentStatus: nullable(AllocDeploymentStatus),
  TaskStates: nullable(Schema.Record(Schema.String, TaskState)),
  CreateIndex: nullable(Schema.Number),
  ModifyIndex: nullable(Schema.Number),
  CreateTime: nullable(Schema.Number),
  ModifyTime: nullable(Schema.Number)
})
export type AllocationListStub = typeof AllocationListStub.Type
