# syntax=docker/dockerfile:1
#
# faas-nomad: the OpenFaaS provider for Nomad, as a container image.
#
#   docker build --build-arg FAAS_NOMAD_GIT_SHA=$(git rev-parse HEAD) -t ghcr.io/openfaas/faas-nomad:dev .
#   docker build --target check .        # optional: full install, typecheck and the test suite
#
# The image runs the production build: dist/faas-nomad.js, the command as one tree-shaken bundle with every
# dependency inlined (scripts/bundle.ts). It needs no node_modules and no sources, so the runtime stage copies
# only the bundle and package.json (the release it reports, and "type": "module").

ARG NODE_IMAGE=node:24-slim

# ---- build: the bundle -------------------------------------------------------
# The full install, as the lockfile says (rolldown, the bundler, is a devDependency), without install scripts:
# the project's `prepare` would build before the sources are here, and the `node` devDependency would download
# the Node this image already has. rolldown's native binary is an optional dependency, not a script.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.ts --bundle-only

# ---- check (optional, `--target check`): what .ci/run does -------------------
# Not part of the default build: BuildKit only builds the stages the target
# needs. The full install runs the `node` devDependency's install script,
# which downloads a Node binary, and `prepare`, which builds dist/.
FROM ${NODE_IMAGE} AS check
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm run typecheck && npm test

# ---- runtime ----------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# The commit the image was built from; the provider reports it in
# GET /system/info as version.sha (src/version.ts). Without it: "unknown".
ARG FAAS_NOMAD_GIT_SHA=""
ENV FAAS_NOMAD_GIT_SHA=${FAAS_NOMAD_GIT_SHA}
ENV NODE_ENV=production
# glibc keeps up to 8 malloc arenas per core, one per thread that allocates; Node allocates almost only on its
# main thread, and each extra arena is native memory held for good (about 7 MB at idle, measured by
# `npm run bench -- proxy`, which runs the bundle with the ENV lines of this stage that name no variable).
ENV MALLOC_ARENA_MAX=2

WORKDIR /app
# Only what runs: the manifest and the bundle (dist/faas-nomad.js, the dev
# cluster's dist/watchdogHost.js, and dist/chunks/, loaded on demand).
# Owned by root and not writable by the user the process runs as.
# test/build/image.test.ts runs exactly these files, with no node_modules.
COPY --from=build /app/package.json ./
COPY --from=build /app/dist ./dist

# The image's unprivileged `node` user (uid 1000).
USER node

# The provider's default `port`.
EXPOSE 8081

# slim has no curl or wget: ask /healthz with node's own fetch, on the port the
# provider was given (`port`, default 8081). Nomad does not read this; the job
# in deploy/ has its own service checks.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.port || '8081') + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "/app/dist/faas-nomad.js"]
# `start` serves against real Nomad, Consul and Vault; `dev` runs the in-memory
# cluster (e.g. `docker run -p 8081:8081 <image> dev`); `--help` lists every setting.
CMD ["start"]
