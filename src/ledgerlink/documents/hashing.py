"""A content hash that tells "the same version again" from "a change".

Pushing the same document twice must create nothing new in Xero, so equal content must hash
equally however it was written: keys in any order, ``10`` or ``10.00`` or ``"1E+1"``, a default
spelled out or left out, an empty optional field or none. Anything a person would call a change
(a price, a line's order, a description) changes the hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


def normal_decimal(value: Decimal) -> str:
    """10, 10.0 and 1E+1 all become '10'; -0 becomes '0'."""
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def canonical(value: Any) -> Any:
    """The value as plain JSON types, with Decimals normalised and empty values dropped."""
    # The exact types a dumped document holds first (intake hashes every document it takes);
    # anything else, subclasses included, goes through the general checks below.
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        return {str(key): canonical(item) for key, item in value.items() if item is not None}
    if kind is list:
        return [canonical(item) for item in value]
    if kind is Decimal:
        return normal_decimal(value)
    if isinstance(value, BaseModel):
        return canonical(value.model_dump(mode="python", exclude_none=True))
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            out[str(key)] = canonical(item)
        return out
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal | int):
        return normal_decimal(Decimal(value))
    if isinstance(value, float):
        raise TypeError("floats are not hashed: money must be Decimal")
    if isinstance(value, date):
        return value.isoformat()
    return value


def canonical_json(value: Any) -> str:
    return json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(value: Any) -> str:
    """sha256 (hex) of the canonical JSON of a document (schema object or plain mapping).

    Hash the validated schema object: defaults are then filled in the same way each time.
    """
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
