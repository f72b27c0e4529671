# The Art DAG L2 image (docs/operations.md). Multi-stage: dependencies and the build happen at image
# build time (a container never builds at start), and the runtime stage keeps only production
# dependencies, the built app and the sources the server runs from. Runs as the unprivileged `node`
# user; everything it keeps is under ARTDAG_DATA (a volume): keys/, the embedded database (when no
# DATABASE_URL is given) and a generated jwt_secret (when neither JWT_SECRET nor the Docker secret
# /run/secrets/jwt_secret is given).
#
#   docker build -t artdag-l2 .
#   docker run -p 8200:8200 -v artdag-data:/data -e ARTDAG_DOMAIN=l2.example.org artdag-l2
ARG NODE_IMAGE=node:26-bookworm-slim

# --- dependencies (all of them: the build needs the dev ones) ---------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
# postinstall runs `prisma generate` (the client goes to generated/). No download: the wasm engines
# ship inside the npm packages.
RUN npm install --no-audit --no-fund --loglevel=error

# --- build: Next's production build and the downloadable CLI client ----------------------------------
FROM deps AS build
COPY . .
# After the prune, npm still keeps the peer dependencies of @prisma/client and next (the Prisma CLI
# with its studio and dev server, TypeScript, Playwright): the running server uses none of them
# (the client is generated, migrations go through @prisma/schema-engine-wasm, next.config.mjs is
# plain JavaScript), and they are half the image. Nor does it use Prisma's query compilers for
# other databases than PostgreSQL.
RUN npx tsx scripts/start.ts --build-only \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error \
 && rm -rf .next/cache node_modules/prisma node_modules/@prisma/studio-core node_modules/@prisma/dev \
      node_modules/effect node_modules/elkjs node_modules/typescript node_modules/@types \
      node_modules/@playwright node_modules/playwright node_modules/playwright-core \
 && rm -f node_modules/@prisma/client/runtime/*.map \
      node_modules/@prisma/client/runtime/query_compiler_*_bg.sqlite.* node_modules/@prisma/client/runtime/query_compiler_*_bg.mysql.* \
      node_modules/@prisma/client/runtime/query_compiler_*_bg.sqlserver.* node_modules/@prisma/client/runtime/query_compiler_*_bg.cockroachdb.*

# --- runtime -----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 \
    HOST=0.0.0.0 PORT=8200 ARTDAG_DATA=/data
COPY --from=build /app/package.json /app/package-lock.json /app/next.config.mjs /app/tsconfig.json /app/prisma.config.ts /app/auth.ts /app/instrumentation.ts ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
COPY --from=build /app/generated ./generated
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/lib ./lib
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/client ./client
COPY --from=build /app/public ./public
# /about serves the README and docs/ from the running app's folder.
COPY --from=build /app/README.md ./
COPY --from=build /app/docs ./docs
# Next writes its runtime cache under .next/cache; the data folder is the volume.
RUN mkdir -p /data .next/cache && chown node:node /data .next/cache
USER node
VOLUME ["/data"]
EXPOSE 8200
STOPSIGNAL SIGTERM
# Ready = the database answers, the migrations are current and the job queue runs (GET /readyz).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8200)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "scripts/start.ts", "--no-build"]
