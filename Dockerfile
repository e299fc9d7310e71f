# Tabib: one image for the HTTP app (default command) and the background worker
# (src/worker.ts, see docker-compose.yml).
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. Install scripts are skipped:
# Prisma's would download native engines Tabib does not use (it runs Prisma's Wasm
# engine), and @node-rs/argon2 ships prebuilt binaries; the client is generated explicitly.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
# Dev dependencies stay: `npm start` runs the TypeScript sources through tsx.
# `npm install` rather than `npm ci`: see .ci/run (optional platform builds missing from the lockfile).
RUN npm install --ignore-scripts --no-audit --no-fund \
 && npm run db:generate \
 && npm cache clean --force

COPY . .
# Without DATABASE_URL the app keeps an embedded database in /app/.data.
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
EXPOSE 3000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Same as `npm start`, without npm and a shell in between: they do not pass SIGTERM on,
# and the app needs it to finish requests in flight and close the database cleanly.
CMD ["node", "--import", "tsx", "src/main.ts"]
