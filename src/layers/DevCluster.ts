/**
 * The embedded single-node cluster `faas-nomad dev` and the tests run on:
 * in-memory Nomad and service catalog, secrets in memory, the same metrics
 * as a live provider, and an allocation runner that plays the Nomad client.
 * One provider, so it always leads the autoscaler and has no peers.
 */
import { Layer } from "effect"
import type { AllocationRunner } from "./memory/AllocationRunner.ts"
import * as DiscoveryMemory from "./memory/DiscoveryMemory.ts"
import * as LeadershipMemory from "./memory/LeadershipMemory.ts"
import * as LoadExchangeMemory from "./memory/LoadExchangeMemory.ts"
import { MemoryCluster } from "./memory/MemoryCluster.ts"
import type { MemorySecrets } from "./memory/MemorySecrets.ts"
import * as NomadMemory from "./memory/NomadMemory.ts"
import * as SecretStoreMemory from "./memory/SecretStoreMemory.ts"
import * as PrometheusMetrics from "./metrics/PrometheusMetrics.ts"

export const DevCluster = (runner: Layer.Layer<AllocationRunner, never, MemorySecrets>) =>
  Layer.mergeAll(
    NomadMemory.layer,
    DiscoveryMemory.layer,
    PrometheusMetrics.layer,
    LeadershipMemory.layer,
    LoadExchangeMemory.layer
  ).pipe(
    Layer.provideMerge(MemoryCluster.layer.pipe(Layer.provide(runner))),
    Layer.provideMerge(SecretStoreMemory.layer)
  )
