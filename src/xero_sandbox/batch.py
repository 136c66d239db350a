"""Batches of elements in one PUT or POST, with Xero's two ways of reporting errors.

With ``summarizeErrors`` left at Xero's default, any failed element turns the whole answer into a
400 ValidationException listing only the failed elements; the valid elements are still saved,
as reported of Xero, so a 400 on a batch means "possibly partly applied". With
``summarizeErrors=false`` the answer is always 200 and every element comes back with its
``StatusAttributeString`` and its own ``ValidationErrors``.

A handler for one element must check everything before it changes any state, then change it; it
raises ``ElementErrors`` to refuse the element.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, wire
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.state import Record


def read_elements(ctx: ApiContext, key: str, resource: str) -> list[dict[str, Any]]:
    """The elements of a write: ``{"Invoices": [...]}`` or a single bare element."""
    body = ctx.body()
    if body is None or body == {} or body == []:
        raise errors.no_data_processed(resource)
    body = wire.parse_object(body, "")
    matched = next((k for k in body if k.lower() == key.lower()), None)
    if matched is not None:
        elements = wire.parse_list(body[matched], matched)
        for index, element in enumerate(elements):
            wire.parse_object(element, f"{matched}[{index}]")
        if not elements:
            raise errors.no_data_processed(resource)
        return elements
    return [body]


def error_element(element: dict[str, Any], failure: errors.ElementErrors) -> Record:
    echoed: Record = dict(element)
    echoed["HasErrors"] = True
    echoed["StatusAttributeString"] = "ERROR"
    echoed["ValidationErrors"] = [{"Message": m} for m in failure.messages]
    if failure.warnings:
        echoed["Warnings"] = [{"Message": m} for m in failure.warnings]
    return echoed


def run_batch(
    ctx: ApiContext,
    key: str,
    resource: str,
    handle: Callable[[dict[str, Any]], Record],
    *,
    present: Callable[[Record], Record] | None = None,
) -> Response:
    """Apply ``handle`` to each element and answer as Xero does for the batch."""
    elements = read_elements(ctx, key, resource)
    results: list[tuple[bool, Record]] = []
    for element in elements:
        try:
            record = handle(element)
        except errors.ElementErrors as failure:
            results.append((False, error_element(element, failure)))
        else:
            shown = present(record) if present else record
            results.append((True, shown))
    if ctx.summarize_errors:
        failed = [r for ok, r in results if not ok]
        if failed:
            raise errors.validation_exception(failed)
        return envelope(ctx, key, [r for _, r in results])
    shown_all = []
    for ok, record in results:
        if ok:
            record = dict(record)
            warnings = record.get("Warnings")
            record["StatusAttributeString"] = "WARNING" if warnings else "OK"
        shown_all.append(record)
    return envelope(ctx, key, shown_all)
