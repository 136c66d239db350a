"""Turning a raw document into a schema object, or into every problem it has, in plain words.

pydantic's errors are precise but written for programmers ("Input should be greater than 0" at
``('lines', 3, 'quantity')``). A source app's user needs the field as they would write it,
``lines[3].quantity``, the value, and what to do; and they need all the problems at once, not one
per attempt. A document with 10,000 lines is refused by its count before its lines are read, so the
answer stays short and quick.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ledgerlink.documents.schemas import MAX_LINES
from ledgerlink.errors import LedgerlinkError

MAX_REPORTED = 50


@dataclass
class ValidationFailed(LedgerlinkError):
    """VALIDATION_FAILED with every problem found; ``message``/``field`` are the first one's."""

    errors: list[LedgerlinkError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["errors"] = [error.as_dict() for error in self.errors]
        return body


def field_path(loc: Sequence[int | str]) -> str:
    """('lines', 3, 'quantity') -> 'lines[3].quantity'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _join(base: str, extra: str) -> str:
    if not base:
        return extra
    return f"{base}{extra}" if extra.startswith("[") else f"{base}.{extra}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _sentence(kind: str, path: str, ctx: Mapping[str, Any], value: Any, msg: str) -> str:
    """One pydantic error as a sentence naming the field and the value."""
    if kind == "missing":
        return f"{path} is required."
    if kind == "extra_forbidden":
        return f"{path} is not a known field: check its spelling, or leave it out."
    if kind == "greater_than" and path.endswith("quantity"):
        return (
            f"{path} must be greater than 0 (got {value}): negative and zero quantities are "
            "refused; returns and refunds belong on a credit note."
        )
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": "greater than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        bound = next(iter(ctx.values()), "")
        return f"{path} must be {words} {bound} (got {value})."
    if kind == "decimal_max_places":
        return f"{path} has more than {ctx.get('decimal_places')} decimal places (got {value})."
    if kind == "finite_number":
        return f"{path} must be a finite number (got {_shown(value)})."
    if kind in ("decimal_parsing", "decimal_type"):
        return f"{path} must be a number (got {_shown(value)})."
    if kind == "string_too_long":
        return f"{path} is longer than {ctx.get('max_length')} characters."
    if kind == "string_too_short":
        return f"{path} must not be empty."
    if kind == "string_type":
        return f'{path} must be text (got {_shown(value)}); write codes as strings, e.g. "090".'
    if kind == "too_long":
        return f"{path} has {ctx.get('actual_length')} entries; at most {ctx.get('max_length')}."
    if kind == "too_short":
        return f"{path} needs at least {ctx.get('min_length')} entry."
    if kind == "literal_error":
        return f"{path} must be one of {ctx.get('expected')} (got {_shown(value)})."
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{path or 'the document'} must be an object (got {_shown(value)})."
    if kind == "list_type":
        return f"{path} must be a list (got {_shown(value)})."
    if kind == "value_error":
        return f"{path} {ctx.get('error', msg)}."
    if kind == "field_rule":
        return f"{path} {ctx.get('rule')}."
    return f"{path}: {msg} (got {_shown(value)})."


def errors_from_pydantic(exc: ValidationError, prefix: str = "") -> list[LedgerlinkError]:
    """Every pydantic error as a VALIDATION_FAILED naming its field (``lines[3].quantity``)."""
    found: list[LedgerlinkError] = []
    for error in exc.errors(include_url=False):
        ctx = error.get("ctx") or {}
        path = _join(prefix, field_path(error["loc"]))
        if error["type"] == "field_rule" and ctx.get("field"):
            path = _join(path, str(ctx["field"]))
        message = _sentence(error["type"], path, ctx, error.get("input"), error["msg"])
        advice = str(ctx["fix"]) if ctx.get("fix") else None
        found.append(
            LedgerlinkError("VALIDATION_FAILED", message, field=path or None, advice=advice)
        )
    return found


def failure(errors: list[LedgerlinkError]) -> ValidationFailed:
    """One error carrying them all, shortened so a bad bulk upload gets a readable answer."""
    shown = errors[:MAX_REPORTED]
    first = shown[0]
    message = first.message
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problems)"
    return ValidationFailed(
        "VALIDATION_FAILED", message, field=first.field, advice=first.advice, errors=shown
    )


def _line_count_error(data: Mapping[str, Any]) -> LedgerlinkError | None:
    lines = data.get("lines")
    if isinstance(lines, list) and len(lines) > MAX_LINES:
        return LedgerlinkError(
            "VALIDATION_FAILED",
            f"lines has {len(lines)} entries; at most {MAX_LINES} lines are accepted per "
            "document: split it into several documents.",
            field="lines",
        )
    return None


M = TypeVar("M", bound=BaseModel)


def validate_model(model: type[M], data: Any, noun: str) -> M:
    """The document as a schema object; ValidationFailed listing every problem otherwise.

    Which model a kind's documents use is the kind's to say (``ledgerlink.kinds``)."""
    if not isinstance(data, Mapping):
        raise failure(
            [
                LedgerlinkError(
                    "VALIDATION_FAILED",
                    f"The {noun} must be a JSON object (got {type(data).__name__}).",
                )
            ]
        )
    too_many = _line_count_error(data)
    if too_many is not None:
        rest = {key: value for key, value in data.items() if key != "lines"}
        problems = [too_many]
        try:
            model.model_validate({**rest, "lines": [{"unit_amount": 0, "description": "-"}]})
        except ValidationError as exc:
            problems += errors_from_pydantic(exc)
        raise failure(problems)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise failure(errors_from_pydantic(exc)) from None


def unknown_kind(kind: Any, known: list[str]) -> ValidationFailed:
    return failure(
        [
            LedgerlinkError(
                "VALIDATION_FAILED",
                f"kind must be one of {known} (got {_shown(kind)}).",
                field="kind",
            )
        ]
    )
