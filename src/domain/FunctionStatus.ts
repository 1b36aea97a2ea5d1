/** The faas-provider `FunctionStatus`: a deployment as it was sent, plus replica counts and times. */
import type { FunctionResources } from "./FunctionDeployment.ts"

export interface FunctionStatus {
  readonly name: string
  readonly image: string
  readonly namespace: string
  readonly envProcess?: string
  readonly envVars?: Readonly<Record<string, string>>
  readonly constraints?: ReadonlyArray<string>
  readonly secrets?: ReadonlyArray<string>
  readonly labels: Readonly<Record<string, string>>
  readonly annotations: Readonly<Record<string, string>>
  readonly limits?: FunctionResources
  readonly requests?: FunctionResources
  readonly readOnlyRootFilesystem?: boolean
  readonly invocationCount: number
  /** Desired instances. */
  readonly replicas: number
  /** Instances that would serve a request now. */
  readonly availableReplicas: number
  /** RFC 3339. */
  readonly createdAt: string
}
