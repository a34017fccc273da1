#!/usr/bin/env bash
# Start the action server, then the Rasa server (or, with "shell", a chat in this terminal).
# Stops the action server when the Rasa server stops.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Rasa server runs through server.launch, which applies server/rasa_changes.py.
RASA_SERVER=(.venv/bin/python -m server.launch)
ACTIONS_PORT=5055  # endpoints.yml names this port
RASA_PORT=${RASA_PORT:-5005}
WEB_PORT=${WEB_PORT:-8080}
# Messaging channels: RASA_CREDENTIALS=channels/credentials.yml (see docs/channels.md).
RASA_CREDENTIALS=${RASA_CREDENTIALS:-credentials.yml}
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-65536}  # bytes of a request body
# The Rasa server listens on this machine only unless told otherwise (the website server relays).
RASA_INTERFACE=${RASA_INTERFACE:-127.0.0.1}
# Signs the website's and socket.io's conversation ids (channels/sessions.py); shared by both servers.
export SESSION_SECRET=${SESSION_SECRET:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')}
# Web pages that may open a socket.io connection to the Rasa server.
export ALLOWED_ORIGINS=${ALLOWED_ORIGINS:-http://localhost:$WEB_PORT,http://127.0.0.1:$WEB_PORT}

# The action server listens on 127.0.0.1 only (server/action_server.py).
.venv/bin/python -m server.action_server --port "$ACTIONS_PORT" &
background=($!)
trap 'kill "${background[@]}" 2>/dev/null' EXIT
trap 'exit 143' TERM  # a supervisor's stop ends every server, not only this script

if [ "${1:-}" = "shell" ]; then
  "${RASA_SERVER[@]}" shell --model models/iastm.tar.gz --endpoints endpoints.yml
else
  # The staff pages' password: STAFF_TOKEN, or a new random one for this run. The Rasa server's staff
  # channel (channels/staff.py), which the inbox calls, checks the same token.
  export STAFF_TOKEN=${STAFF_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')}
  .venv/bin/python -m web.app --port "$WEB_PORT" --rasa "http://127.0.0.1:$RASA_PORT" &
  background+=($!)
  cat <<TXT

  The IASTM FAQ assistant is starting (about 15 seconds).
  Talk to it:
    website:   http://localhost:$WEB_PORT/ (a demo clinic page with the chat widget)
    staff:     http://localhost:$WEB_PORT/staff, /staff/inbox (conversations handed to the front desk) and
               /staff/report (your name as user name, password $STAFF_TOKEN)
               make ask Q="is graston painful?"    make report SINCE=2026-11-01
    REST:      curl -s -X POST http://localhost:$RASA_PORT/webhooks/rest/webhook \\
                 -H 'Content-Type: application/json' -d '{"sender": "visitor-0001", "message": "is IASTM painful?"}'
    socket.io: http://localhost:$RASA_PORT/socket.io (for chat widgets)
    terminal:  make shell
  Stop with Ctrl+C.

TXT
  "${RASA_SERVER[@]}" run --model models/iastm.tar.gz --port "$RASA_PORT" --endpoints endpoints.yml \
    --credentials "$RASA_CREDENTIALS" --interface "$RASA_INTERFACE" &
  background+=($!)
  wait "${background[-1]}"
fi
