/** What GET /system/info says of the provider, as faas-provider's `ProviderInfo`. */
import { Schema } from "effect"

export const ProviderInfo = Schema.Struct({
  provider: Schema.String.annotate({ examples: ["faas-nomad"] }),
  orchestration: Schema.String.annotate({ examples: ["nomad"] }),
  version: Schema.Struct({
    sha: Schema.String.annotate({ description: "The commit it was built from", examples: ["unknown"] }),
    release: Schema.String.annotate({ description: "Its release", examples: ["0.1.0"] })
  })
}).annotate({ identifier: "ProviderInfo", description: "The provider, its orchestrator and version" })
export type ProviderInfo = typeof ProviderInfo.Type
