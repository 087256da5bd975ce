"""The bucket as a local folder: list files, tell when one is completely written."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from stat import S_ISREG

from watchfiles import Change, awatch

from findings_ingest.core.notifications import CreatedObject
from findings_ingest.core.objects import BucketObject, ListingPage
from findings_shared.admission import is_hidden_or_partial
from findings_shared.bucket import display_name, read_object, uri_of


class FolderBucket:
    """Polls a folder; a file is ready once its size and mtime held still for a while.

    One page is the whole folder (a listing is cheap), so no checkpoint is needed."""

    def __init__(self, root: Path, settle_s: float) -> None:
        # Absolute: the change notifications name absolute paths under it.
        self.root = root.absolute()
        self.settle_ns = int(settle_s * 1e9)
        self._last_seen: dict[str, str] = {}

    @property
    def objects_appear_whole(self) -> bool:
        return False

    @property
    def listing_interval_s(self) -> float:
        return 0.0

    @property
    def name(self) -> str:
        return uri_of(self.root)

    def list_page(self, start_after: str) -> ListingPage:
        return ListingPage(self.settled(self.scan(), time.time_ns()), resume_after=None)

    def scan(self) -> list[BucketObject]:
        self.root.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            # Hidden folders (.git, a sync tool's staging area) are not the inbox's.
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            paths += [Path(dirpath) / name for name in filenames]
        return list(self.files_at(paths).values())

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

    def objects_at(self, locations: list[str]) -> dict[str, BucketObject]:
        found = self.files_at([Path(location) for location in locations])
        return {str(path): obj for path, obj in found.items()}

    def files_at(self, paths: list[Path]) -> dict[Path, BucketObject]:
        """The files at these paths as they are now (a path gone or hidden is left out)."""
        found: dict[Path, BucketObject] = {}
        for path in paths:
            relative = path.relative_to(self.root) if path.is_relative_to(self.root) else None
            if relative is None or any(part.startswith(".") for part in relative.parts[:-1]):
                continue
            if is_hidden_or_partial(path.name):
                continue
            try:
                stat = path.stat()
            except (FileNotFoundError, NotADirectoryError):
                continue
            if not S_ISREG(stat.st_mode):
                continue
            found[path] = BucketObject(
                uri=uri_of(path),
                name=display_name(path),
                size=stat.st_size,
                version=f"{stat.st_size}:{stat.st_mtime_ns}",
                modified_ns=stat.st_mtime_ns,
                location=str(path),
            )
        return found

    def changes(self, stop: asyncio.Event) -> AsyncIterator[list[str]]:
        return self.written_paths(stop)

    async def written_paths(self, stop: asyncio.Event) -> AsyncIterator[list[str]]:
        """Paths written or moved in, as the kernel reports them (inotify): a file is
        taken moments after its writer stops, without listing the folder."""
        self.root.mkdir(parents=True, exist_ok=True)

        def wanted(change: Change, path: str) -> bool:
            return change != Change.deleted and not is_hidden_or_partial(Path(path).name)

        async for batch in awatch(
            self.root, watch_filter=wanted, debounce=50, step=20, stop_event=stop
        ):
            yield [str(Path(path)) for _, path in batch]

    def notified_object(self, created: CreatedObject) -> BucketObject | None:
        return None  # a folder has no bucket notifications: its changes come by inotify

    def read(self, obj: BucketObject) -> bytes:
        return read_object(obj.uri)
