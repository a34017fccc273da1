#!/usr/bin/env bash
# What make test-deploy needs on Debian bookworm, installed when missing (as root): Docker's engine
# and debootstrap from Debian's packages; Docker Compose v2 and buildx from Debian trixie's pool
# (bookworm packages Compose v1 only, which reads no current compose file), pinned by version and
# checksum, both needing only glibc 2.34; then dockerd started if it is not running.
set -euo pipefail
POOL=${DEBIAN_MIRROR:-http://deb.debian.org/debian}/pool/main/d

apt_install() {
  apt-get install -y -q "$@" > /dev/null || { apt-get update -q > /dev/null && apt-get install -y -q "$@" > /dev/null; }
}

pinned_deb() {  # package version sha256
  [ "$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null)" = "$2" ] && return
  local file
  file=$(mktemp --suffix=.deb)
  curl -fsSL -o "$file" "$POOL/$1/$1_$2_amd64.deb"
  echo "$3  $file" | sha256sum -c --quiet
  dpkg -i "$file" > /dev/null
  rm -f "$file"
}

command -v dockerd > /dev/null || apt_install docker.io
command -v debootstrap > /dev/null || apt_install debootstrap
pinned_deb docker-compose 2.26.1-4 47681197cb2b1ab88206b42a1a92fc75f50d9530a6322d03494a473eed0408ea
pinned_deb docker-buildx 0.13.1+ds1-3 fcf8c48204d1603c8f209451d7827eb91bf30759578baf7704e9e1a87e5f1d7f

if ! docker info > /dev/null 2>&1; then
  mkdir -p /var/log
  nohup dockerd > /var/log/dockerd.log 2>&1 &
  for _ in $(seq 60); do docker info > /dev/null 2>&1 && break; sleep 1; done
  docker info > /dev/null || { tail -20 /var/log/dockerd.log; exit 1; }
fi
