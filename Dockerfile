# Tabib: one image for the HTTP app (default command) and the background worker
# (dist/worker.js, see docker-compose.yml). Built in two stages: the TypeScript is compiled
# with the development tools, and the image that runs keeps only what production needs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Install scripts are skipped: Prisma's would download native engines Tabib does not use (it
# runs Prisma's Wasm engine), and @node-rs/argon2 ships prebuilt binaries; the client is
# generated explicitly. `npm install` rather than `npm ci`: see .ci/run.
COPY package.json package-lock.json prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm install --ignore-scripts --no-audit --no-fund && npm run db:generate
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Without DATABASE_URL the app keeps an embedded database in /app/.data.
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
EXPOSE 3000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Node itself, without npm and a shell in between: they do not pass SIGTERM on, and the app
# needs it to finish requests in flight and close the database cleanly.
CMD ["node", "dist/main.js"]
