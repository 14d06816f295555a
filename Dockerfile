# eventlet-review service: GitHub App webhooks and/or the Gerrit bot, /healthz, /readyz, /metrics.
#   docker build -t eventlet-review .
#   docker run --read-only --tmpfs /tmp --env-file .env -p 3000:3000 \
#     -v eventlet-review-state:/app/eventlet-review-state eventlet-review
# test/service/dockerfile.test.ts checks the invariants below (pinned base, npm ci, non-root, writes).

# Node 24 (the current LTS), pinned by digest so a rebuild gets the same base. The digest is the one
# public projects on GitHub pin for node:24-bookworm-slim (reported there as Node 24.18.0; found in the
# Dockerfile of the open-ocr-cli-mcp project). To move to a newer patch release:
# `docker buildx imagetools inspect node:24-bookworm-slim`, then replace the digest here.
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

# 1. Build: all dependencies, compile TypeScript to dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` installs exactly the lock file. It needs a lock resolved against the public registry, where
# the image is built: a lock written against a mirror that lacks other platforms' optional binaries
# (see README "Quickstart") makes `npm ci` refuse it; regenerate the lock there, or build with
# `--build-arg NPM_INSTALL=install` to fall back to `npm install`, which honours the lock.
ARG NPM_INSTALL=ci
RUN npm ${NPM_INSTALL} --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The CLI's bundle (dist/bundle/) is built by this script, through esbuild and tsx of this stage.
COPY scripts/bundle.ts ./scripts/
RUN npm run build

# 2. Production dependencies only, without install scripts (the parser is WebAssembly; ssh2 and msgpackr
#    fall back to JavaScript without their optional add-ons). better-sqlite3 is the one native module the
#    service needs (the store's SQLite): only its own install script runs (its prebuilt binary, else a
#    build with the compiler only this stage has).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The compiler is for better-sqlite3 alone, when no prebuilt binary fits; this stage is thrown away.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
ARG NPM_INSTALL=ci
# better-sqlite3 is an optional peer (the CLI never needs it), so it is named here, at the version
# package.json's devDependencies pin.
RUN npm ${NPM_INSTALL} --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm install --no-save --omit=dev --ignore-scripts --no-audit --no-fund \
       "better-sqlite3@$(node -p "require('./package.json').devDependencies['better-sqlite3']")" \
  && npm rebuild better-sqlite3 \
  && npm cache clean --force

# 3. Runtime: compiled code + production node_modules, owned by root and read-only to the service, which
#    runs as the unprivileged `node` user and writes only to /app/eventlet-review-state (a volume) and
#    /tmp, so `docker run --read-only --tmpfs /tmp` works.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    GERRIT_STATE_FILE=/app/eventlet-review-state/gerrit.json \
    DATABASE_PATH=/app/eventlet-review-state/eventlet-review.sqlite
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
# The Gerrit event cursor (without Redis) and the SQLite store: mount a volume here to keep them.
RUN mkdir -p /app/eventlet-review-state && chown node:node /app/eventlet-review-state
VOLUME /app/eventlet-review-state
USER node
# Webhooks only. /metrics answers loopback clients on this port; for a scraper elsewhere set
# METRICS_TOKEN, or METRICS_PORT with METRICS_HOST=0.0.0.0 on a network only the scraper reaches.
EXPOSE 3000
# Node has fetch; the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: stop taking events, finish running jobs within SHUTDOWN_TIMEOUT_MS (keep it under
# `docker stop --time`, 10 s by default), hand the rest back (Redis mode).
STOPSIGNAL SIGTERM
CMD ["node", "dist/service/main.js"]
