"""Accounting API routes, matched without regard to case as Xero matches them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xero_sandbox.context import Handler

API_PREFIX = "/api.xro/2.0"


@dataclass
class ApiRoute:
    """``pattern`` is a path under /api.xro/2.0 such as ``/Invoices/{InvoiceID}``.

    ``aliases`` are other paths Xero answers the same way (``/Organisations`` beside
    ``/Organisation``). They share the route, so the handler, the endpoint that faults target
    and the route's place in coverage stay one; only the scope table sees the path as called.
    """

    method: str
    pattern: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    regexes: tuple[re.Pattern[str], ...] = field(init=False)
    endpoint: str = field(init=False)

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self.regexes = tuple(_compile(p) for p in (self.pattern, *self.aliases))
        self.endpoint = self.pattern.strip("/").split("/")[0].lower()

    def match(self, path: str) -> re.Match[str] | None:
        for regex in self.regexes:
            found = regex.match(path)
            if found:
                return found
        return None


def _compile(pattern: str) -> re.Pattern[str]:
    escaped = re.escape(pattern).replace(r"\{", "{").replace(r"\}", "}")
    source = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", escaped)
    return re.compile(f"^{source}/?$", re.IGNORECASE)


class ApiRouter:
    def __init__(self, routes: list[ApiRoute]) -> None:
        self.routes = routes

    def match(self, method: str, path: str) -> tuple[ApiRoute | None, dict[str, str], bool]:
        """The route, its path parameters, and whether the path exists for another method."""
        other_method = False
        for route in self.routes:
            found = route.match(path)
            if not found:
                continue
            if route.method == method:
                return route, found.groupdict(), False
            other_method = True
        return None, {}, other_method
