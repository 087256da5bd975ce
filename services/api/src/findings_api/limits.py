"""No client starves the others: bounded exports and streams, and no wait on a stalled one.

Exports and live streams are the requests that last: each takes a place at a `Gate` (at
most so many at once, fewer for one client) and gives it back when its response ends,
however it ends. `ClientGuard` is the ASGI middleware that gives the places back and that
disconnects a client which reads nothing for `send_timeout_s` (a response waiting on a
full socket buffer would otherwise wait for ever).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("findings.api")
RELEASES = "findings.releases"  # scope key: what to give back when the response ends


def when_done(request: Request, callback: Callable[[], None]) -> None:
    """Run `callback` once the response has ended, sent whole or not."""
    request.scope.setdefault(RELEASES, []).append(callback)


def client_of(request: Request, is_key: Callable[[str], bool]) -> str:
    """Who is asking: the API key, when it is one of the API's (a proxy may hide many
    people behind one address), else the address (so that made-up keys gain nothing)."""
    key = request.headers.get("x-api-key")
    if key and is_key(key):
        return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return "address:" + (request.client.host if request.client else "unknown")


@dataclass
class Gate:
    """At most `total` at once, `per_client` of them for one client."""

    what: str
    total: int
    per_client: int
    retry_after_s: int
    held: Counter[str] = field(default_factory=Counter)

    def enter(self, request: Request, client: str) -> None:
        """Take a place until the response ends; 429 with Retry-After when none is free."""
        if sum(self.held.values()) >= self.total:
            self._refuse(f"{self.total} {self.what} are running, the most this API serves")
        if self.held[client] >= self.per_client:
            self._refuse(f"you have {self.per_client} {self.what} running, the most per client")
        self.held[client] += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.held[client] -= 1
                if self.held[client] <= 0:
                    del self.held[client]

        when_done(request, release)

    def _refuse(self, reason: str) -> None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"Too many {self.what}: {reason}; retry in {self.retry_after_s} s.",
            headers={"Retry-After": str(self.retry_after_s)},
        )


class ClientTooSlow(Exception):
    """The client took no byte of its response in time (not a TimeoutError: the app maps
    those to 503, too late once a response has started)."""


class ClientGuard:
    """Gives back every place a request took once its response ended, and disconnects a
    client that has not taken a byte of its response for `send_timeout_s`."""

    def __init__(self, app: ASGIApp, send_timeout_s: float) -> None:
        self.app = app
        self.send_timeout_s = send_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_in_time(message: Message) -> None:
            # The server's send waits while the socket's buffers are full.
            try:
                await asyncio.wait_for(send(message), self.send_timeout_s)
            except TimeoutError as error:
                raise ClientTooSlow from error

        try:
            await self.app(scope, receive, send_in_time)
        except* ClientTooSlow:  # a streaming answer raises it from within a task group
            client: Any = scope.get("client")
            log.warning(
                "%s %s: client %s read nothing for %g s: disconnected",
                scope.get("method"),
                scope.get("path"),
                client[0] if client else "unknown",
                self.send_timeout_s,
            )
        finally:
            releases: list[Callable[[], None]] = scope.get(RELEASES, [])
            for release in releases:
                release()
