"""Logging: one JSON object per line, with the ids of what a line is about.

Every module logs through the standard ``logging`` module (``log.info("sent %s", x)``) and keeps
doing so; ``configure`` puts structlog's formatter on the root logger, so those lines come out as
JSON with ``timestamp``, ``level``, ``logger`` and ``event``, plus whatever is bound in the
context: ``request_id`` (the REST request's ``X-Request-ID``), ``connection_id`` and ``job_id``
(a worker run), ``document_ids`` (a send). The context lives in contextvars, so each thread of a
worker driving many organisations at once, and each REST request, carries its own ids.

``LEDGERLINK_LOG_FORMAT=console`` gives human-readable lines for development instead;
``LEDGERLINK_LOG_LEVEL`` sets the level (``INFO`` by default).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any

import structlog
from structlog.contextvars import bind_contextvars, reset_contextvars
from structlog.types import EventDict, Processor

FORMATS = ("json", "console")
FORMAT_ENV = "LEDGERLINK_LOG_FORMAT"
LEVEL_ENV = "LEDGERLINK_LOG_LEVEL"
# A request id we take from a caller: short and printable, as it goes into every log line and
# a column of 64 characters.
_HEAD = ("timestamp", "level", "logger", "event")
_request: ContextVar[str | None] = ContextVar("ledgerlink_request_id", default=None)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,64}")


def _shared() -> list[Processor]:
    """What every line gets, from structlog or from the standard library alike."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        structlog.stdlib.ExtraAdder(),
    ]


def _head_first(_logger: Any, _name: str, event: EventDict) -> EventDict:
    """The same four keys first on every line, so a person reading raw lines finds them."""
    head = {key: event.pop(key) for key in _HEAD if key in event}
    return {**head, **event}


def format_from_env(default: str = "json") -> str:
    """``LEDGERLINK_LOG_FORMAT``, checked (like every setting read from the environment, a
    wrong value stops the process with a sentence naming the variable and the fix)."""
    value = os.environ.get(FORMAT_ENV, "").strip().lower() or default
    if value not in FORMATS:
        raise ValueError(f"{FORMAT_ENV}={value!r} is not a log format: use json or console")
    return value


def _level_from_env() -> int:
    name = os.environ.get(LEVEL_ENV, "").strip().upper() or "INFO"
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        raise ValueError(f"{LEVEL_ENV}={name!r} is not a log level: use DEBUG, INFO or WARNING")
    return level


def handler(fmt: str = "json", stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing ``fmt`` lines to ``stream`` (stderr by default)."""
    renderer: Processor
    if fmt == "console":
        renderer = structlog.dev.ConsoleRenderer(colors=(stream or sys.stderr).isatty())
        tracebacks: list[Processor] = []
    else:
        renderer = structlog.processors.JSONRenderer()
        # A traceback as data, without its frames' local variables: those hold tokens.
        tracebacks = [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            _head_first,
        ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *tracebacks,
            renderer,
        ],
    )
    out = logging.StreamHandler(stream or sys.stderr)
    out.setFormatter(formatter)
    out.set_name("ledgerlink")
    return out


def configure(
    fmt: str | None = None, level: int | None = None, stream: IO[str] | None = None
) -> logging.Handler:
    """Send every log line of the process through one ledgerlink handler on the root logger.

    ``fmt`` and ``level`` default to the environment (JSON, INFO). Called again, it replaces the
    handler it installed before and leaves any other handler alone.
    """
    fmt = fmt or format_from_env()
    level = _level_from_env() if level is None else level
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "ledgerlink"]:
        root.removeHandler(old)
    installed = handler(fmt, stream)
    root.addHandler(installed)
    root.setLevel(level)
    return installed


# the context ----------------------------------------------------------------------------


@contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Bind ``values`` to every log line of this thread (or task) until the block ends; values
    that are None are left out, and what was bound before comes back afterwards."""
    tokens = bind_contextvars(**{k: v for k, v in values.items() if v is not None})
    try:
        yield
    finally:
        reset_contextvars(**tokens)


def request_id() -> str | None:
    """The correlation id of the REST request being served here, if any (read per document
    queued, so kept in a variable of its own rather than looked up among the bound values)."""
    return _request.get()


def serve_request(given: str | None) -> tuple[str, Callable[[], None]]:
    """Start serving a REST request: its id (the caller's ``X-Request-ID`` when usable, else a
    new one) bound to every log line, and a function that unbinds it."""
    rid = accept_request_id(given)
    token = _request.set(rid)
    tokens = bind_contextvars(request_id=rid)

    def done() -> None:
        reset_contextvars(**tokens)
        _request.reset(token)

    return rid, done


def accept_request_id(given: str | None) -> str:
    """The caller's ``X-Request-ID`` when it is a usable id, else a new one."""
    if given is not None and _REQUEST_ID.fullmatch(given.strip()):
        return given.strip()
    return uuid.uuid4().hex
