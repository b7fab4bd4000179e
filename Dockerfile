# syntax=docker/dockerfile:1
# One image for both production processes: `docker run IMAGE api` or `docker run IMAGE worker` (and `setup`).
# Node 24, the current LTS (`npm run drill:cluster` runs the production processes on the same release line).
# Debian slim rather than Alpine: the Temporal worker's native core is built for glibc.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# Compile, then pre-bundle the workflow code so workers start without webpack at run time.
RUN npm run build \
    && node bin/gha-agent.mjs bundle --out dist/workflow-bundle.js

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    PORT=8080 \
    HOST=0.0.0.0 \
    WORKER_METRICS_PORT=9464
WORKDIR /app
COPY --chown=root:root package.json ./
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root --chmod=0755 bin ./bin
RUN ln -s /app/bin/gha-agent.mjs /usr/local/bin/gha-agent
# The node image's unprivileged user, by number so that Kubernetes can check runAsNonRoot.
USER 1000:1000
EXPOSE 8080 9464
# The same image runs the API (health on PORT) or the worker (health on WORKER_METRICS_PORT): either answering is healthy.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "const p=[process.env.PORT||8080,process.env.WORKER_METRICS_PORT||9464];Promise.any(p.map(n=>fetch('http://127.0.0.1:'+n+'/healthz').then(r=>{if(!r.ok)throw new Error(String(r.status))}))).then(()=>process.exit(0),()=>process.exit(1))"]
ENTRYPOINT ["gha-agent"]
CMD ["api"]
