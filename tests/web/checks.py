"""What every browser test may lean on: where Chromium is, the loopback guard, the
accessibility check (axe-core from the axe-playwright-python package, injected into the page,
no network) and screenshots.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, Route, WebSocketRoute

REPO = Path(__file__).resolve().parents[2]
# Debian's Chromium (``./run.sh test`` installs it); Playwright never downloads a browser here.
CHROMIUM = Path(os.environ.get("LEDGERLINK_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO / "docs" / "screenshots"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
INERT_SCHEMES = frozenset({"data", "blob", "about"})  # nothing leaves the browser
NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss"})


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None when Chromium is installed."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return None
    why = os.environ.get("LEDGERLINK_CHROMIUM_PROBLEM")  # set by ./run.sh when apt-get failed
    return (
        f"Chromium is not installed at {CHROMIUM}"
        + (f" ({why})" if why else "")
        + ": install Debian's package (apt-get install chromium; ./run.sh test does it as root)"
        + " or point LEDGERLINK_CHROMIUM at a Chromium"
    )


# the loopback guard -----------------------------------------------------------------------


def is_loopback(url: str) -> bool:
    """True for a URL that stays on this machine: http(s)/ws(s) to 127.0.0.1, localhost or
    ::1, or one that never leaves the browser (data:, blob:, about:)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in INERT_SCHEMES:
        return True
    return scheme in NETWORK_SCHEMES and (parts.hostname or "") in LOOPBACK_HOSTS


@dataclass
class LoopbackGuard:
    """Records every request a browser context makes (and every WebSocket it opens) and aborts
    those that would leave loopback; ``check()`` fails the test if any was even attempted."""

    requested: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        context.on("request", lambda request: self.requested.append(request.url))
        context.route(lambda url: not is_loopback(url), self._abort)
        context.route_web_socket(lambda url: not is_loopback(url), self._refuse_socket)

    def _abort(self, route: Route) -> None:
        self.blocked.append(route.request.url)
        route.abort("blockedbyclient")

    def _refuse_socket(self, socket: WebSocketRoute) -> None:
        # A WebSocket raises no "request" event: record it here; not connecting refuses it.
        self.requested.append(socket.url)
        self.blocked.append(socket.url)
        socket.close(code=1008, reason="ledgerlink tests: loopback only")

    def offenders(self) -> list[str]:
        """Every URL (once, in order) that was not loopback."""
        return list(dict.fromkeys(u for u in self.requested + self.blocked if not is_loopback(u)))

    def check(self) -> None:
        found = self.offenders()
        if found:
            listed = "".join(f"\n  {url}" for url in found)
            why = f"the browser tried to leave loopback ({len(found)} URL(s), all blocked):"
            pytest.fail(why + listed, pytrace=False)


# accessibility --------------------------------------------------------------------------

_AXE = Axe()  # reads axe.min.js shipped inside the package once


def _target(node: Mapping[str, Any]) -> str:
    # A target is a list of selectors; an element in a shadow root or a frame is a nested list.
    parts = node.get("target", [])
    return " ".join(" >>> ".join(p) if isinstance(p, list) else str(p) for p in parts)


def accessibility_report(violations: list[Mapping[str, Any]], url: str) -> str:
    lines = [f"axe-core found {len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.extend(f"    {_target(node)}" for node in violation.get("nodes", []))
    return "\n".join(lines)


def check_accessibility(
    page: Page,
    *,
    disable: Mapping[str, str] | None = None,
    include: str | None = None,
) -> None:
    """Run axe-core in ``page`` (all its rules but the experimental ones) and fail listing each
    violation: rule id, impact, what it asks for, and the targets of the elements at fault.

    ``disable`` maps axe rule ids to the reason each is off for this page (a reason is
    required); ``include`` limits the check to the part of the page a CSS selector names.
    """
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if disable:
        for rule, reason in disable.items():
            if not reason.strip():
                raise ValueError(f"axe rule {rule!r} is disabled without a reason")
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    results = _AXE.run(page, context=include, options=options)
    violations = results.response["violations"]
    if violations:
        pytest.fail(accessibility_report(violations, page.url), pytrace=False)


# screenshots ----------------------------------------------------------------------------

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def screenshots_folder(fallback: Path) -> Path:
    """docs/screenshots in the repository when LEDGERLINK_SCREENSHOTS=1 (for the README),
    else ``fallback`` (a temporary folder): a plain test run changes no tracked file."""
    return SCREENSHOTS if os.environ.get("LEDGERLINK_SCREENSHOTS") == "1" else fallback


def take_screenshot(page: Page, name: str, folder: Path, *, full_page: bool = False) -> Path:
    """``page`` as ``folder/<name>.png`` (``name``: lower-case letters, digits and dashes),
    with animations stopped and the caret hidden so that runs give the same picture."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"screenshot name {name!r}: use lower-case letters, digits and dashes")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=full_page, animations="disabled", caret="hide")
    return path
