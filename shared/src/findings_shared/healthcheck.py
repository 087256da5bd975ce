"""`python -m findings_shared.healthcheck SERVICE`: exit 0 when the service's own
`GET /health` answers 200, else 1. A container's health check: the images carry no curl.

The port is the one the service serves on: `FINDINGS_API_PORT` for the api,
`FINDINGS_<SERVICE>_HEALTH_PORT` for the others.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_PORTS = {"api": "8000"}


def health_url(service: str, environ: dict[str, str]) -> str:
    variable = (
        "FINDINGS_API_PORT" if service == "api" else f"FINDINGS_{service.upper()}_HEALTH_PORT"
    )
    port = environ.get(variable) or DEFAULT_PORTS.get(service)
    if not port:
        raise SystemExit(f"{variable} is not set: the {service} service serves no /health")
    return f"http://127.0.0.1:{port}/health"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m findings_shared.healthcheck SERVICE", file=sys.stderr)  # noqa: T201
        return 2
    url = health_url(argv[0], dict(os.environ))
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"{url}: {error}", file=sys.stderr)  # noqa: T201
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
