/** The update strategy and volumes in a register: refused with Nomad's texts, stored as Nomad canonicalizes them. */
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { type NomadSimulator, startNomadSimulator } from "./NomadSimulator.ts"
import { call, deploy, functionJob, register } from "./testSupport.ts"

let sim: NomadSimulator
beforeEach(async () => {
  sim = await startNomadSimulator()
})
afterEach(() => sim.close())

const s = 1_000_000_000

const withGroup = (extra: Record<string, unknown>, task: Record<string, unknown> = {}, job = functionJob("fn")) => ({
  ...job,
  TaskGroups: job.TaskGroups.map((g) => ({ ...g, ...extra, Tasks: g.Tasks.map((t) => ({ ...t, ...task })) }))
})

const refusal = async (job: unknown) => {
  const answer = await register(sim, job)
  expect(answer.status).toBe(500)
  return answer.text
}

describe("update strategy", () => {
  it("refuses what UpdateStrategy.Validate refuses, in its words, flattened into the group's errors", async () => {
    const text = await refusal({
      ...functionJob("fn"),
      Update: { MaxParallel: 1, HealthCheck: "http", HealthyDeadline: 10 * 60 * s, ProgressDeadline: 5 * 60 * s },
      TaskGroups: functionJob("fn").TaskGroups.map((g) => ({ ...g, Update: { AutoPromote: true, MinHealthyTime: -1 } }))
    })
    expect(text).toBe(
      "1 error occurred:\n\t* Task group fn validation failed: 4 errors occurred:\n" +
        `\t* Invalid health check given: "http"\n` +
        "\t* Auto Promote requires a Canary count greater than zero\n" +
        "\t* Minimum healthy time may not be less than zero: -1ns\n" +
        "\t* Healthy deadline must be less than progress deadline: 10m0s > 5m0s\n\n\n\n"
    )
  })

  it("merges the job's block into each group with Nomad's defaults for what neither sets", async () => {
    await deploy(sim, { ...functionJob("fn"), Update: { MaxParallel: 2, Canary: 1, AutoPromote: true } })
    const job = (await call(sim, "GET", "/v1/job/fn")).json
    // The job keeps only what applies to the whole job, zero-valued as Go encodes a struct.
    expect(job.Update).toEqual({
      Stagger: 30 * s,
      MaxParallel: 2,
      HealthCheck: "",
      MinHealthyTime: 0,
      HealthyDeadline: 0,
      ProgressDeadline: 0,
      AutoRevert: false,
      AutoPromote: false,
      Canary: 0
    })
    expect(job.TaskGroups[0].Update).toEqual({
      Stagger: 30 * s,
      MaxParallel: 2,
      HealthCheck: "checks",
      MinHealthyTime: 10 * s,
      HealthyDeadline: 300 * s,
      ProgressDeadline: 600 * s,
      AutoRevert: false,
      AutoPromote: true,
      Canary: 1
    })
  })
})

describe("volumes", () => {
  const host = { Name: "certs", Type: "host", Source: "certs", ReadOnly: true }
  const csi = {
    Name: "data",
    Type: "csi",
    Source: "pg-data",
    AccessMode: "multi-node-multi-writer",
    AttachmentMode: "file-system"
  }

  it("stores group volumes and task mounts with VolumeMount's defaults", async () => {
    await deploy(
      sim,
      withGroup(
        { Volumes: { certs: host, data: csi } },
        {
          VolumeMounts: [
            { Volume: "certs", Destination: "/etc/certs", ReadOnly: true },
            { Volume: "data", Destination: "/data" }
          ]
        }
      )
    )
    const group = (await call(sim, "GET", "/v1/job/fn")).json.TaskGroups[0]
    expect(group.Volumes.certs).toEqual({
      Name: "certs",
      Type: "host",
      Source: "certs",
      ReadOnly: true,
      Sticky: false,
      AccessMode: "",
      AttachmentMode: "",
      MountOptions: null,
      PerAlloc: false
    })
    expect(group.Tasks[0].VolumeMounts).toEqual([
      { Volume: "certs", Destination: "/etc/certs", ReadOnly: true, PropagationMode: "private", SELinuxLabel: "" },
      { Volume: "data", Destination: "/data", ReadOnly: false, PropagationMode: "private", SELinuxLabel: "" }
    ])
  })

  it("refuses a mount of an undefined volume, and drops a volume of an unknown type first", async () => {
    const text = await refusal(
      withGroup(
        { Volumes: { odd: { Type: "nfs", Source: "x" } } },
        { VolumeMounts: [{ Volume: "odd", Destination: "/x", PropagationMode: "sideways" }] }
      )
    )
    expect(text).toBe(
      "1 error occurred:\n\t* Task group fn validation failed: 1 error occurred:\n" +
        "\t* Task fn validation failed: 2 errors occurred:\n" +
        "\t* Volume Mount (0) references undefined volume odd\n" +
        `\t* Volume Mount (0) is invalid: "1 error occurred:\n\t* volume mount has an invalid propagation mode: "sideways"\n\n"\n\n\n\n\n\n`
    )
  })

  it("refuses what VolumeRequest.Validate refuses for the group's count and canaries", async () => {
    const text = await refusal(
      withGroup({
        Count: 2,
        Update: { MaxParallel: 1, Canary: 1 },
        Volumes: {
          a: { ...csi, AccessMode: "single-node-writer", AttachmentMode: "" },
          b: { ...csi, AccessMode: "multi-node-reader-only", PerAlloc: true },
          c: { ...host, Source: "", MountOptions: { FSType: "ext4" } }
        }
      })
    )
    expect(text).toBe(
      "1 error occurred:\n\t* Task group fn validation failed: 3 errors occurred:\n" +
        "\t* Task group volume validation for a failed: 2 errors occurred:\n" +
        "\t* CSI volumes must have an attachment mode\n" +
        "\t* volume with single-node-writer access mode allows only one reader or writer\n\n\n" +
        "\t* Task group volume validation for b failed: 2 errors occurred:\n" +
        "\t* volume cannot be per_alloc when canaries are in use\n" +
        "\t* multi-node-reader-only volumes must be read-only\n\n\n" +
        "\t* Task group volume validation for c failed: 2 errors occurred:\n" +
        "\t* volume has an empty source\n" +
        "\t* host volumes cannot have mount options\n\n\n\n\n\n"
    )
  })
})
