#!/usr/bin/env bash
# Stand-ins for the official images that deploy/ names, for a machine that cannot pull from the
# public registry (docs/deploy.md, "make test-deploy"). Each is built only when missing:
#   iastm-local/debian:bookworm, iastm-local/debian:sid   debootstrap --variant=minbase, docker import
#   iastm-local/python:3.10-slim-bookworm                 bookworm + PYTHON_PREFIX's CPython 3.10
#   iastm-local/postgres:15, iastm-local/redis:7          Debian's packages on bookworm
#   iastm-local/nginx-unprivileged:1.30                   Debian's nginx on sid (1.27.3+ for `resolve`)
# Usage (as root, for debootstrap): deploy/local/build.sh PYTHON_PREFIX
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python_prefix=${1:?usage: build.sh PYTHON_PREFIX (a CPython 3.10 installation)}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
export DOCKER_BUILDKIT=1

have() { docker image inspect "$1" > /dev/null 2>&1; }

# A minimal Debian file system, with its security updates where the suite has them, as an image.
debian_base() {
  local suite=$1 tag=iastm-local/debian:$1 rootfs
  have "$tag" && return
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" > "$rootfs.log" || { cat "$rootfs.log"; exit 1; }
  if [ "$suite" != sid ]; then
    printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s-security %s-security main\n' \
      "$mirror" "$suite" "$mirror" "$suite" "$mirror" "$suite" > "$rootfs/etc/apt/sources.list"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import - "$tag"
  rm -rf "$rootfs" "$rootfs.log"
}

image() {  # tag dockerfile context
  have "$1" || docker build --quiet -f "$here/$2" -t "$1" "$3"
}

debian_base bookworm
debian_base sid
image iastm-local/python:3.10-slim-bookworm python.Dockerfile "$python_prefix"
image iastm-local/postgres:15 postgres.Dockerfile "$here"
image iastm-local/redis:7 redis.Dockerfile "$here"
image iastm-local/nginx-unprivileged:1.30 nginx.Dockerfile "$here"
