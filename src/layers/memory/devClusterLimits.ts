/**
 * What the dev cluster cannot do that Nomad can, said at registration rather
 * than discovered later: it runs each function as a local process, with no
 * Nomad client to mount a host or CSI volume.
 */
import type { Job } from "../../nomad/Job.ts"

export const devClusterRefusal = (job: Job): string | undefined => {
  const volumes = (job.TaskGroups ?? []).flatMap((g) =>
    Object.values(g.Volumes ?? {}).map((v) => `${v.Name ?? "?"} (${v.Type} ${v.Source})`)
  )
  return volumes.length === 0 ?
    undefined :
    `the dev cluster (faas-nomad dev) cannot mount volumes: it runs functions ` +
    `as local processes, with no Nomad client to mount them (asked for: ${volumes.join(", ")}); ` +
    `volumes work when the provider runs on Nomad (faas-nomad start)`
}
