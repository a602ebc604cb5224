# One image for every Tributary service; docker-compose.yml picks the service per container.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The auditor console, served by the gateway under /console/.
RUN npm run build
# Keys the development issuer and the gateway identity create on first start (a named volume
# shared by the containers starts from this directory, owned by the unprivileged user).
RUN mkdir -p /var/lib/tributary/keys && chown -R node /var/lib/tributary /app
ENV NODE_ENV=production HOST=0.0.0.0
USER node
# Overridden per service in docker-compose.yml (npm run start:<service>).
CMD ["npm", "start"]
