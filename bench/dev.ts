/**
 * The dev cluster's memory, as a user runs it: `faas-nomad dev` (the production build, and from source), then 12
 * instances (four functions of three replicas each: cat, env, sha512sum and wc), each invoked once, and the
 * resident memory of the provider and of every process it started, before and after. Then the target of issue 12:
 * 12 instances in at most 200 MB in all, provider included, and what one instance costs: all the growth from the
 * idle provider, its own and its processes' (the watchdog host; no function process runs between requests), over
 * the instances.
 */
import { readdirSync, readFileSync } from "node:fs"
import { productionBuild } from "./cluster.ts"
import { benchFile, freePort, residentMegabytes, startQuietProcess, waitForHttp } from "./support.ts"

const functions = ["cat", "env", "sha512sum", "wc"] as const
const replicas = 3
const instances = functions.length * replicas

/** The process and every process under it (Linux: /proc), with their resident memory. */
const processTree = (root: number): ReadonlyArray<{ readonly pid: number; readonly megabytes: number }> => {
  const parents = new Map<number, Array<number>>()
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)])
    } catch {
      // gone while we looked
    }
  }
  const tree: Array<{ pid: number; megabytes: number }> = []
  const visit = (pid: number) => {
    try {
      tree.push({ pid, megabytes: residentMegabytes(pid) })
    } catch {
      return
    }
    for (const child of parents.get(pid) ?? []) visit(child)
  }
  visit(root)
  return tree
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1500))

const measure = async (label: string, script: string) => {
  const port = await freePort()
  const child = startQuietProcess([script, "dev", "--port", String(port), "--bind-address", "127.0.0.1"])
  const base = `http://127.0.0.1:${port}`
  await waitForHttp(`${base}/healthz`)
  await settle()
  const idle = processTree(child.pid!)
  for (const name of functions) {
    const deployed = await fetch(`${base}/system/functions`, {
      method: "POST",
      body: JSON.stringify({
        service: name,
        image: "functions/alpine:latest",
        envProcess: name,
        labels: { "com.openfaas.scale.min": String(replicas) }
      })
    })
    await deployed.text()
    if (deployed.status !== 202) throw new Error(`deploy of ${name} answered ${deployed.status}`)
  }
  for (const name of functions) {
    await waitForHttp(
      `${base}/system/function/${name}`,
      (s, body) => s === 200 && JSON.parse(body).availableReplicas === replicas
    )
    for (let i = 0; i < replicas; i++) {
      await fetch(`${base}/function/${name}`, { method: "POST", body: "x" }).then((r) => r.text())
    }
  }
  await settle()
  const loaded = processTree(child.pid!)
  child.kill("SIGTERM")
  const sum = (tree: typeof idle) => tree.reduce((total, p) => total + p.megabytes, 0)
  const provider = loaded[0]!.megabytes
  return {
    label,
    idle: sum(idle),
    provider,
    others: sum(loaded) - provider,
    processes: loaded.length,
    total: sum(loaded),
    perInstance: (sum(loaded) - sum(idle)) / instances
  }
}

export const runDevBench = async () => {
  const rows = [
    await measure("faas-nomad dev, production build", await productionBuild()),
    await measure("faas-nomad dev, from source", benchFile("../bin/faas-nomad.js"))
  ]
  console.log(
    `\ndev cluster: ${instances} instances (${functions.length} functions x ${replicas}), each invoked once; ` +
      "resident memory of the provider and every process it started"
  )
  console.log(
    "variant                              idle MB  provider MB  its processes MB  processes  total MB  per instance MB"
  )
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(36)} ${r.idle.toFixed(0).padStart(7)} ${r.provider.toFixed(0).padStart(12)} ${
        r.others.toFixed(0).padStart(17)
      } ${String(r.processes).padStart(10)} ${r.total.toFixed(0).padStart(9)} ${r.perInstance.toFixed(1).padStart(16)}`
    )
  }
  for (const r of rows) {
    console.log(
      `  ${r.label}: ${instances} instances in ${r.total.toFixed(0)} MB, target <= 200 MB ${
        r.total <= 200 ? "met" : "NOT met"
      }`
    )
  }
}
