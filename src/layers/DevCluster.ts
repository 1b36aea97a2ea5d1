/**
 * The embedded single-node cluster `faas-nomad dev` and the tests run on:
 * in-memory Nomad and service catalog, secrets and metrics in memory, and an
 * allocation runner that plays the Nomad client.
 */
import { Effect, Layer } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { jobSettingsFrom } from "../jobs/JobSettings.ts"
import { DiscoveryMemory } from "./DiscoveryMemory.ts"
import type { AllocationRunner } from "./memory/AllocationRunner.ts"
import { MemoryCluster } from "./memory/MemoryCluster.ts"
import { MetricsLive } from "./MetricsLive.ts"
import { NomadMemory } from "./NomadMemory.ts"
import { type MemorySecrets, SecretStoreMemory } from "./SecretStoreMemory.ts"

export const DevCluster = (runner: Layer.Layer<AllocationRunner, never, MemorySecrets>) =>
  Layer.unwrap(
    Effect.map(
      Effect.service(ProviderConfig),
      (config) =>
        Layer.mergeAll(NomadMemory, DiscoveryMemory(jobSettingsFrom(config)), MetricsLive).pipe(
          Layer.provideMerge(MemoryCluster.layer.pipe(Layer.provide(runner))),
          Layer.provideMerge(SecretStoreMemory)
        )
    )
  )
