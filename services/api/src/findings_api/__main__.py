"""`python -m findings_api`: serve the HTTP API."""

import uvicorn

from findings_api.app import create_app
from findings_api.settings import ApiSettings
from findings_shared.logs import configure_logging


def main() -> None:
    configure_logging("api")
    settings = ApiSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
