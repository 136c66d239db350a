"""Xero's wire format: exact numbers both ways, Microsoft dates, If-Modified-Since values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ledgerlink.xero import wire


def test_decimals_round_trip_exactly_as_json_numbers() -> None:
    body = {"Total": Decimal("12345678901234.5678"), "Qty": Decimal("0.0001"), "N": 3}
    encoded = wire.encode(body)
    assert encoded == b'{"Total":12345678901234.5678,"Qty":0.0001,"N":3}'
    assert wire.decode(encoded) == body
    assert isinstance(wire.decode(b'{"Rate": 1e2}')["Rate"], Decimal)


def test_dates_go_out_in_forms_xero_reads() -> None:
    assert wire.encode({"Date": date(2026, 2, 1)}) == b'{"Date":"2026-02-01"}'


def test_not_json_is_a_wire_error() -> None:
    with pytest.raises(wire.WireError):
        wire.decode(b'{"Id":')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/Date(1439434356790+0000)/", datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)),
        ("/Date(1439434356790)/", datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)),
        ("/Date(1439434356790+1300)/", datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)),
        ("/Date(-86400000+0000)/", datetime(1969, 12, 31, tzinfo=UTC)),
    ],
)
def test_ms_dates_are_utc_milliseconds(text: str, expected: datetime) -> None:
    assert wire.parse_ms_date(text) == expected
    assert wire.parse_timestamp(text) == expected


def test_ms_dates_format_back() -> None:
    moment = datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)
    assert wire.format_ms_date(moment) == "/Date(1439434356790+0000)/"
    assert wire.format_ms_date(date(1970, 1, 2)) == "/Date(86400000+0000)/"
    assert wire.parse_ms_date(wire.format_ms_date(moment)) == moment


def test_other_timestamps_and_the_update_mark() -> None:
    assert wire.parse_timestamp("2026-03-01T10:00:00") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert wire.parse_timestamp("2026-03-01T10:00:00+02:00") == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert wire.parse_timestamp("soon") is None and wire.parse_timestamp(None) is None
    assert wire.parse_day("/Date(1439434356790+0000)/") == date(2015, 8, 13)
    record = {"UpdatedDateUTC": "/Date(1439434356790+0000)/"}
    assert wire.updated_at(record) == datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)
    with pytest.raises(wire.WireError):
        wire.parse_ms_date("2015-08-13")


def test_if_modified_since_is_utc_to_the_second() -> None:
    value = wire.if_modified_since(datetime(2026, 3, 1, 9, 30, 15, 900000, tzinfo=UTC))
    assert value == "2026-03-01T09:30:15"
    # A naive time is taken as UTC; any other zone is converted.
    assert wire.if_modified_since(datetime(2026, 3, 1, 9, 30, 15)) == "2026-03-01T09:30:15"
    nzdt = timezone(timedelta(hours=13))
    assert wire.if_modified_since(datetime(2026, 3, 1, 22, 30, 15, tzinfo=nzdt)) == (
        "2026-03-01T09:30:15"
    )
