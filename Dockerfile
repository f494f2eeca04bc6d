# cleanup-worker: the storage cleanup service of the Architect dashboard.
#   docker build -t cleanup-worker .
#   docker run -v architect-home:/data -p 8080:8080 -e CLEANUP_API_TOKEN=... cleanup-worker
# The image listens on 0.0.0.0:8080 (inside the container); set CLEANUP_API_TOKEN whenever the
# port is reachable from outside, or the server logs a warning at start.

# --- production dependencies (better-sqlite3 may compile from source: needs a toolchain) ---
FROM node:24-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# --- build: dev dependencies + tsc ---
FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

# --- runtime: production dependencies and compiled code only, as a non-root user ---
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    ARCHITECT_HOME=/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist/src ./dist/src
COPY --chown=root:root package.json openapi.yaml ./
# The code is owned by root and read-only to the service; only /data is writable by it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
# No curl in slim images: ask /health with node itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 receives SIGTERM from `docker stop`; server.ts shuts down gracefully on it.
CMD ["node", "dist/src/server.js"]
