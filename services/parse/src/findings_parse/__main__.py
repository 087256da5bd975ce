"""`python -m findings_parse`: run the parse service."""

import findings_shared.early  # noqa: F401  (first: SIGTERM while starting)
from findings_parse.app import run
from findings_parse.settings import ParseSettings
from findings_shared.service import run_service


def main() -> None:
    settings = ParseSettings()
    run_service("parse", lambda stop: run(settings, stop))


if __name__ == "__main__":
    main()
