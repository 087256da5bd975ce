"""The bucket as a local folder: list files, tell when one is completely written."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from findings_ingest.core.admission import is_hidden_or_partial


@dataclass(frozen=True, slots=True)
class FolderEntry:
    path: Path
    size: int
    mtime_ns: int


class FolderBucket:
    """Polls a folder; an entry is ready once its size and mtime held still for a while."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._last_seen: dict[Path, tuple[int, int]] = {}

    def scan(self) -> list[FolderEntry]:
        entries: list[FolderEntry] = []
        self.root.mkdir(parents=True, exist_ok=True)
        for dirpath, _dirnames, filenames in os.walk(self.root):
            for filename in filenames:
                if is_hidden_or_partial(filename):
                    continue
                path = Path(dirpath) / filename
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                entries.append(FolderEntry(path, stat.st_size, stat.st_mtime_ns))
        return entries

    def settled(self, entries: list[FolderEntry], now_ns: int, settle_ns: int) -> list[FolderEntry]:
        """Entries unchanged since the previous scan and older than the settle time."""
        ready: list[FolderEntry] = []
        current: dict[Path, tuple[int, int]] = {}
        for entry in entries:
            version = (entry.size, entry.mtime_ns)
            current[entry.path] = version
            unchanged = self._last_seen.get(entry.path) == version
            if unchanged and now_ns - entry.mtime_ns >= settle_ns:
                ready.append(entry)
        self._last_seen = current
        return ready

    @staticmethod
    def read(path: Path) -> bytes:
        return path.read_bytes()
