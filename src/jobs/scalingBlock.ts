/**
 * The group `Scaling` block of an autoscaled function with `autoscaler=nomad`:
 * the provider does not scale it, the Nomad Autoscaler does, with the
 * `target-value` strategy on a per-replica load that means what the
 * function's labels say (see README, "Nomad Autoscaler mode"):
 *
 * - `rps`: the provider's own invocation counter, as a rate per replica;
 * - `capacity`: invocations in flight per replica, by Little's law, the rate
 *   of the summed durations of the provider's duration histogram;
 * - `cpu`: Nomad's own allocation stats (`nomad-apm`, `avg_cpu`, percent of
 *   one core per allocation; the label's millicores are tenths of that).
 *
 * The target is `target × target-proportion`, the load at which the
 * provider would add a replica. Nomad refuses a count outside [Min, Max]:
 * Min is 0 when the function may go to zero. The policy's map has the shape
 * Nomad stores a parsed `policy` block in: each block a list of objects.
 */
import type { ScalingPolicy } from "./scalingPolicy.ts"

export interface ScalingBlock {
  readonly Min: number
  readonly Max: number
  readonly Enabled: boolean
  readonly Type: "horizontal"
  readonly Policy: Readonly<Record<string, unknown>>
}

export interface ScalingBlockSettings {
  /** How often the Nomad Autoscaler evaluates the policy (`autoscaler_interval`), a Go duration. */
  readonly evaluationInterval: string
  /** How long it waits after a scale (`autoscaler_scale_down_delay`), a Go duration. */
  readonly cooldown: string
}

/** A PromQL string literal. */
const quoted = (text: string) => JSON.stringify(text)

/** Seconds, as PromQL ranges take them. */
const range = (millis: number) => `${Math.max(1, Math.round(millis / 1000))}s`

const promQuery = (policy: ScalingPolicy, name: string, namespace: string) => {
  const selector = `{function_name=${quoted(name)},namespace=${quoted(namespace)}}`
  const replicas = `clamp_min(max(faas_nomad_function_replicas${selector}), 1)`
  const load = policy.type === "capacity"
    ? `sum(rate(faas_nomad_function_duration_seconds_sum${selector}[1m]))`
    : `sum(rate(faas_nomad_function_invocation_total${selector}[1m]))`
  const perReplica = `(${load} / ${replicas})`
  if (!policy.zero) return perReplica
  // Not idle while any invocation came within zero-duration: a load just above 0 keeps one replica.
  const used = `sum(increase(faas_nomad_function_invocation_total${selector}[${range(policy.zeroDurationMillis)}]))`
  return `clamp_min(${perReplica}, scalar((${used} > bool 0) * 0.001))`
}

export const scalingBlock = (
  policy: ScalingPolicy,
  ref: { readonly name: string; readonly namespace: string },
  settings: ScalingBlockSettings
): ScalingBlock => {
  const target = policy.target * policy.targetProportion
  const check = policy.type === "cpu"
    ? { source: "nomad-apm", query: "avg_cpu", strategy: [{ "target-value": [{ target: target / 10 }] }] }
    : {
      source: "prometheus",
      query: promQuery(policy, ref.name, ref.namespace),
      strategy: [{ "target-value": [{ target }] }]
    }
  return {
    Min: policy.zero ? 0 : policy.min,
    Max: policy.max,
    Enabled: true,
    Type: "horizontal",
    Policy: {
      evaluation_interval: settings.evaluationInterval,
      cooldown: settings.cooldown,
      check: [{ [`openfaas-${policy.type}`]: [check] }]
    }
  }
}
