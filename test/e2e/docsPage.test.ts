/**
 * GET /system/docs in a real browser: headless Chromium (Debian's `chromium`,
 * driven by playwright-core) loads the reference page from a provider on
 * loopback, with basic auth on, and the page lists every endpoint of the
 * document, with no request leaving for another host. A screenshot of it is
 * saved as <temp dir>/faas-nomad-docs-page.png, replaced by each run. Where no Chromium is installed the check is
 * skipped, and says so; CI installs it (.ci/run).
 */
import { afterAll, assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { OpenApi } from "effect/http-api"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { chromium } from "playwright-core"
import { providerPort, send } from "../support/rawHttp.ts"
import { testApp } from "../support/testApp.ts"

const executablePath = "/usr/bin/chromium"
const hasChromium = existsSync(executablePath)
if (!hasChromium) console.warn(`docsPage.test.ts: no Chromium at ${executablePath}: the browser check is skipped`)

/** Chromium quiet on the network: without these it calls home for updates, sync and the like. */
const flags = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

const secrets = mkdtempSync(join(tmpdir(), "faas-nomad-docs-"))
afterAll(() => rmSync(secrets, { recursive: true, force: true }))
writeFileSync(join(secrets, "basic-auth-user"), "admin")
writeFileSync(join(secrets, "basic-auth-password"), "pw")
const credentials = { username: "admin", password: "pw" }

const isLocal = (url: string) => {
  const { protocol, hostname } = new URL(url)
  return protocol === "data:" || protocol === "blob:" || protocol === "about:" || hostname === "127.0.0.1"
}

describe.skipIf(!hasChromium)(`the reference page in headless Chromium (${executablePath})`, () => {
  layer(testApp({ env: { basic_auth: "true", secret_mount_path: secrets } }), { excludeTestServices: true })(
    "GET /system/docs",
    (it) => {
      it.effect("lists every endpoint of the document, and asks nothing of another host", () =>
        Effect.gen(function*() {
          const port = yield* providerPort
          const authorization = `Basic ${Buffer.from("admin:pw").toString("base64")}`
          const document = JSON.parse(
            (yield* Effect.promise(() => send(port, "GET", "/system/openapi.json", { authorization }))).text
          ) as OpenApi.OpenAPISpec
          const profile = mkdtempSync(join(tmpdir(), "faas-nomad-chromium-"))
          const { requests, screenshot, text } = yield* Effect.acquireUseRelease(
            Effect.promise(() =>
              chromium.launchPersistentContext(profile, {
                executablePath,
                headless: true,
                args: flags,
                httpCredentials: credentials,
                viewport: { width: 1400, height: 1000 }
              })
            ),
            (context) =>
              Effect.promise(async () => {
                const asked: Array<string> = []
                context.on("request", (request) => asked.push(request.url()))
                const page = await context.newPage()
                const answer = await page.goto(`http://127.0.0.1:${port}/system/docs`, { waitUntil: "load" })
                assert.strictEqual(answer?.status(), 200)
                assert.include(answer?.headers()["content-type"], "text/html")
                // Scalar renders the operations once its script has read the document.
                await page.getByText("/system/scale-function/{name}").first().waitFor({ timeout: 20_000 })
                const shot = join(tmpdir(), "faas-nomad-docs-page.png")
                await page.screenshot({ path: shot, fullPage: false })
                return { requests: asked, screenshot: shot, text: await page.locator("body").innerText() }
              }),
            (context) =>
              Effect.promise(() => context.close()).pipe(
                Effect.ensuring(Effect.sync(() => rmSync(profile, { recursive: true, force: true })))
              )
          )
          for (const [path, item] of Object.entries(document.paths)) {
            assert.include(text, path, `the page lists ${path}`)
            for (const operation of Object.values(item as Record<string, { summary?: string }>)) {
              if (operation.summary !== undefined) assert.include(text, operation.summary)
            }
          }
          for (const tag of ["functions", "secrets", "logs", "system"]) assert.include(text.toLowerCase(), tag)
          assert.deepStrictEqual(requests.filter((url) => !isLocal(url)), [], "requests to other hosts")
          assert.isTrue(existsSync(screenshot))
          console.log(`docsPage.test.ts: screenshot at ${screenshot}`)
        }), { timeout: 90_000 }) // a browser's start and Scalar's 3 MB script, on a loaded machine
    }
  )
})
