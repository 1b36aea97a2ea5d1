# syntax=docker/dockerfile:1
#
# faas-nomad: the OpenFaaS provider for Nomad, as a container image.
#
#   docker build --build-arg FAAS_NOMAD_GIT_SHA=$(git rev-parse HEAD) -t ghcr.io/openfaas/faas-nomad:dev .
#   docker build --target check .        # optional: full install, typecheck and the test suite
#
# There is no compile step. Node 24 runs the TypeScript in src/ directly by
# stripping the types (bin/faas-nomad.js imports ../src/main.ts). Node refuses to
# strip types from .ts files under node_modules, but the app's own code lives in
# /app/src, outside node_modules, so type stripping applies to it.

ARG NODE_IMAGE=node:24-slim

# ---- deps: production dependencies only ------------------------------------
# Every package src/ and bin/ import at run time (effect, @effect/*,
# @opentelemetry/*) is in "dependencies"; the devDependencies (the `node` npm
# package, typescript, vitest, ...) are only for development and CI, so they
# are left out. No production dependency has an install script.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# ---- check (optional, `--target check`): what .ci/run does -----------------
# Not part of the default build: BuildKit only builds the stages the target
# needs. The full install runs the `node` devDependency's install script,
# which downloads a Node binary.
FROM ${NODE_IMAGE} AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm test

# ---- runtime ----------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# The commit the image was built from; the provider reports it in
# GET /system/info as version.sha (src/version.ts). Without it: "unknown".
ARG FAAS_NOMAD_GIT_SHA=""
ENV FAAS_NOMAD_GIT_SHA=${FAAS_NOMAD_GIT_SHA} \
    NODE_ENV=production

WORKDIR /app
# Only what runs: the package manifest ("type": "module" applies to bin/ and
# src/), the production node_modules, the entry point and the sources. Owned by
# root and not writable by the user the process runs as.
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY bin ./bin
COPY src ./src

# The image's unprivileged `node` user (uid 1000).
USER node

# The provider's default `port`.
EXPOSE 8081

# slim has no curl or wget: ask /healthz with node's own fetch, on the port the
# provider was given (`port`, default 8081). Nomad does not read this; the job
# in deploy/ has its own service checks.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.port || '8081') + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "/app/bin/faas-nomad.js"]
# `start` serves against real Nomad, Consul and Vault; `dev` runs the in-memory
# cluster (e.g. `docker run -p 8081:8081 <image> dev`); `--help` lists every setting.
CMD ["start"]
