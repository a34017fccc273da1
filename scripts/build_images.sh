#!/usr/bin/env bash
# The images make test-deploy runs, and results/deploy/images.env naming them for compose:
# the official base images when the public registry answers, otherwise stand-ins built from
# Debian's packages (deploy/local/build.sh); then the project's image from deploy/Dockerfile, with
# pip's CA bundle (if pip has one configured) passed as a build secret, never copied into the image.
# Usage: scripts/build_images.sh PYTHON_PREFIX (a CPython 3.10 installation, for the stand-in)
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/deploy/images.env
mkdir -p results/deploy

if docker pull -q python:3.10-slim-bookworm > /dev/null 2>&1; then
  python_image=python:3.10-slim-bookworm
  printf 'POSTGRES_IMAGE=postgres:16-alpine\nREDIS_IMAGE=redis:7-alpine\nNGINX_IMAGE=nginxinc/nginx-unprivileged:1.28-alpine\n' > "$out"
else
  echo "The public image registry does not answer: building stand-ins from Debian's packages."
  deploy/local/build.sh "${1:?usage: build_images.sh PYTHON_PREFIX}"
  python_image=iastm-local/python:3.10-slim-bookworm
  printf 'POSTGRES_IMAGE=iastm-local/postgres:15\nREDIS_IMAGE=iastm-local/redis:7\nNGINX_IMAGE=iastm-local/nginx-unprivileged:1.30\n' > "$out"
fi

ca=${PIP_CERT:-$(pip config get global.cert 2>/dev/null || true)}
secret=()
[ -n "$ca" ] && [ -f "$ca" ] && secret=(--secret "id=pip_ca,src=$ca")
DOCKER_BUILDKIT=1 docker build --quiet -f deploy/Dockerfile --build-arg "PYTHON_IMAGE=$python_image" \
  "${secret[@]}" -t iastm-assistant:test . > /dev/null
echo "IASTM_IMAGE=iastm-assistant:test" >> "$out"
cat "$out"
