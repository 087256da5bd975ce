"""Objects by URI. Here a local folder (file://); S3-compatible buckets come later."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlparse


class ObjectMissing(Exception):
    """The object named by a URI is no longer in the bucket."""


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def path_of(uri: str) -> Path:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise ValueError(f"unsupported object URI scheme: {parsed.scheme!r}")
    # Bytes first: a file name need not be UTF-8 (Path.as_uri() encoded its raw bytes).
    return Path(os.fsdecode(unquote_to_bytes(parsed.path)))


def display_name(path: Path) -> str:
    """A file's name as text that any database takes: undecodable bytes become U+FFFD."""
    return os.fsencode(path.name).decode("utf-8", errors="replace")


def read_object(uri: str, max_bytes: int | None = None) -> bytes:
    path = path_of(uri)
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise ValueError(f"object is larger than {max_bytes} bytes")
        return path.read_bytes()
    except FileNotFoundError as error:
        raise ObjectMissing(f"object no longer exists: {uri}") from error
