#!/bin/sh
# The official image's Redis is built with protected mode off; Debian's is not, so say it here.
set -eu
if [ "${1:-}" = redis-server ]; then
  shift
  set -- redis-server --protected-mode no "$@"
fi
exec "$@"
