# syntax=docker/dockerfile:1
# Stage 1: build the single binary with the same command CI runs (`npm run build`).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Stage 2: the binary alone on slim Debian, as a non-root user, data in the /data volume.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin litekpi \
 && mkdir -p /data && chown litekpi:litekpi /data
COPY --from=build /src/dist/litekpi /usr/local/bin/litekpi
ENV DATA_DIR=/data HOST=0.0.0.0 PORT=8080
USER litekpi
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/litekpi", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/litekpi"]
