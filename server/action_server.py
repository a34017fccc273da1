"""The action server, reachable only by the Rasa server: python -m server.action_server [--port 5055]

It binds SANIC_HOST (default 127.0.0.1, not every interface) and, when ACTION_SERVER_SECRET is
set, refuses every request but /health that lacks the header `X-Action-Secret: <secret>` (the Rasa
server sends it: the production endpoints file sets it on the action endpoint).
"""

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from sanic import response

SECRET_HEADER = "X-Action-Secret"


def secret_ok(presented: str | None, secret: str) -> bool:
    """Whether the request carries the shared secret (constant-time comparison)."""
    return hmac.compare_digest((presented or "").encode("utf-8"), secret.encode("utf-8"))


def build_app(secret: str):
    """The Rasa SDK app with the actions package, behind the secret check when a secret is set."""
    app = create_app("actions", cors_origins=None)

    @app.middleware("request")
    async def require_secret(request):
        if secret and request.path != "/health" and not secret_ok(request.headers.get(SECRET_HEADER), secret):
            return response.json({"error": "forbidden"}, status=403)
        return None

    return app


def main() -> None:
    """Serve the actions."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    app = build_app(os.environ.get("ACTION_SERVER_SECRET", ""))
    app.run(os.environ.get("SANIC_HOST", "127.0.0.1"), args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
