# eventlet-review service: GitHub App webhooks and/or the Gerrit bot, /healthz, /readyz, /metrics.
#   docker build -t eventlet-review .
#   docker run --env-file .env -p 3000:3000 eventlet-review

# 1. Build: all dependencies, compile TypeScript to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# 2. Production dependencies only. Install scripts are skipped: the parser is WebAssembly, and ssh2 and
#    msgpackr fall back to JavaScript without their optional native add-ons, so no compiler is needed.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay off, but for better-sqlite3's native addon (the store's default SQLite): its
# prebuilt binary, else a build with the compiler this stage only has.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3 && npm cache clean --force

# 3. Runtime: compiled code + production node_modules, as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
# The Gerrit bot's event cursor without Redis (GERRIT_STATE_FILE): mount a volume here to keep it.
RUN mkdir -p /app/eventlet-review-state && chown node:node /app/eventlet-review-state
VOLUME /app/eventlet-review-state
# The store of reviews and feedback (SQLite, without DATABASE_URL) lives on that volume too.
ENV DATABASE_PATH=/app/eventlet-review-state/eventlet-review.sqlite
USER node
EXPOSE 3000
# Node 20 has fetch; the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: stop taking events, finish running jobs within SHUTDOWN_TIMEOUT_MS (keep it under
# `docker stop --time`, 10 s by default), hand the rest back (Redis mode).
STOPSIGNAL SIGTERM
CMD ["node", "dist/service/main.js"]
