/**
 * The embedded single-node cluster `faas-nomad dev` and the tests run on:
 * in-memory Nomad and service catalog, secrets and metrics in memory, and an
 * allocation runner that plays the Nomad client.
 */
import { Effect, Layer } from "effect"
import { ProviderConfig } from "../config/ProviderConfig.ts"
import { jobSettingsFrom } from "../jobs/JobSettings.ts"
import type { AllocationRunner } from "./memory/AllocationRunner.ts"
import { DiscoveryMemory } from "./memory/DiscoveryMemory.ts"
import { MemoryCluster } from "./memory/MemoryCluster.ts"
import { NomadMemory } from "./memory/NomadMemory.ts"
import { type MemorySecrets, SecretStoreMemory } from "./memory/SecretStoreMemory.ts"
import { MetricsLive } from "./metrics/PrometheusMetrics.ts"

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
