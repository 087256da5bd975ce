"""The bucket as a local folder: list files, tell when one is completely written."""

from __future__ import annotations

import os
import time
from pathlib import Path

from findings_ingest.core.objects import BucketObject, ListingPage
from findings_shared.admission import is_hidden_or_partial
from findings_shared.bucket import display_name, path_of, uri_of


class FolderBucket:
    """Polls a folder; a file is ready once its size and mtime held still for a while.

    One page is the whole folder (a listing is cheap), so no checkpoint is needed."""

    def __init__(self, root: Path, settle_s: float) -> None:
        self.root = root
        self.settle_ns = int(settle_s * 1e9)
        self._last_seen: dict[str, str] = {}

    @property
    def objects_appear_whole(self) -> bool:
        return False

    @property
    def name(self) -> str:
        return uri_of(self.root)

    def list_page(self, start_after: str) -> ListingPage:
        return ListingPage(self.settled(self.scan(), time.time_ns()), resume_after=None)

    def scan(self) -> list[BucketObject]:
        found: list[BucketObject] = []
        self.root.mkdir(parents=True, exist_ok=True)
        for dirpath, dirnames, filenames in os.walk(self.root):
            # Hidden folders (.git, a sync tool's staging area) are not the inbox's.
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            for filename in filenames:
                if is_hidden_or_partial(filename):
                    continue
                path = Path(dirpath) / filename
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                found.append(
                    BucketObject(
                        uri=uri_of(path),
                        name=display_name(path),
                        size=stat.st_size,
                        version=f"{stat.st_size}:{stat.st_mtime_ns}",
                        modified_ns=stat.st_mtime_ns,
                    )
                )
        return found

    def settled(self, found: list[BucketObject], now_ns: int) -> list[BucketObject]:
        """Files unchanged since the previous scan and older than the settle time."""
        ready: list[BucketObject] = []
        current: dict[str, str] = {}
        for obj in found:
            current[obj.uri] = obj.version
            unchanged = self._last_seen.get(obj.uri) == obj.version
            if unchanged and now_ns - obj.modified_ns >= self.settle_ns:
                ready.append(obj)
        self._last_seen = current
        return ready

    def read(self, obj: BucketObject) -> bytes:
        return path_of(obj.uri).read_bytes()
