/** What `GET /v1/jobs` returns for each job: identity, status, indexes and the allocation summary. */
import { Schema } from "effect"
import { nullable, StringMap } from "../schema/fields.ts"

export const TaskGroupSummary = Schema.Struct({
  Queued: nullable(Schema.Number),
  Complete: nullable(Schema.Number),
  Failed: nullable(Schema.Number),
  Running: nullable(Schema.Number),
  Starting: nullable(Schema.Number),
  Lost: nullable(Schema.Number),
  Unknown: nullable(Schema.Number)
})
export type TaskGroupSummary = typeof TaskGroupSummary.Type

export const JobSummary = Schema.Struct({
  JobID: nullable(Schema.String),
  Namespace: nullable(Schema.String),
  Summary: nullable(Schema.Record(Schema.String, TaskGroupSummary))
})
export type JobSummary = typeof JobSummary.Type

export const JobListStub = Schema.Struct({
  ID: Schema.String,
  Name: nullable(Schema.String),
  Namespace: nullable(Schema.String),
  Type: nullable(Schema.String),
  Status: nullable(Schema.String),
  Stop: nullable(Schema.Boolean),
  JobSummary: nullable(JobSummary),
  Meta: nullable(StringMap),
  CreateIndex: nullable(Schema.Number),
  ModifyIndex: nullable(Schema.Number),
  JobModifyIndex: nullable(Schema.Number),
  SubmitTime: nullable(Schema.Number)
})
export type JobListStub = typeof JobListStub.Type
