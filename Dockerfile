# One image for every Tributary service; docker-compose.yml picks the service per container.

# Build stage: every dependency (TypeScript and Vite among the development ones) to compile the
# server code into dist/ (with its stamp, dist/.build-stamp) and to build the auditor console and
# the GraphQL IDE into console/dist and ide/dist.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies only, the compiled server code and the built pages from
# the build stage, and the sources beside them: the services read their assets (schema/*.graphql,
# migrations, facts.sql, policy rules) from there, and `npm start` (scripts/launch.mjs) checks that
# dist/ was built from exactly these sources before it runs it with plain node. Nothing here can
# import Vite, TypeScript or tsx: a stale dist/ would fail the start, never compile here.
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
COPY --from=build /app/dist ./dist
COPY --from=build /app/console/dist ./console/dist
COPY --from=build /app/ide/dist ./ide/dist
# Keys the development issuer and the gateway identity create on first start (a named volume
# shared by the containers starts from this directory, owned by the unprivileged user).
RUN mkdir -p /var/lib/tributary/keys && chown -R node /var/lib/tributary /app
USER node
# Overridden per service in docker-compose.yml (npm run start:<service>).
CMD ["npm", "start"]
