"""The limiter's statements, one per decision, for SQLite and PostgreSQL (``sync.limiter``).

Each organisation has one row (``tenant:<tenant>``) holding its minute GCRA
time, its day window and count, its calls in flight with their expiry, and a 429's block; each
app has one row (``app:<client>``) holding the app-wide minute's GCRA time and block.

Taking a call is one ``UPDATE ... RETURNING`` over both rows that changes them only when every
limit allows: it returns the two rows when the call may go, none when it may not (the caller
then reads the rows, without locking, to know how long to wait). On PostgreSQL a locking CTE
first takes both rows ``FOR UPDATE`` in key order and reads their newest versions, so two
processes deciding at once queue on the rows and the second sees the first's call; on SQLite
the statement runs inside ``BEGIN IMMEDIATE`` (``store.db``), which holds the database's one
write lock from the start.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import TextClause, text

_TAKE = """
{lock}
v AS (
  SELECT
    CASE WHEN :now >= t.window_start + :day THEN 0 ELSE t.count END AS day_count,
    CASE WHEN :now >= t.window_start + :day THEN :now ELSE t.window_start END AS day_start,
    CASE WHEN :now >= t.in_flight_until THEN 0 ELSE t.in_flight END AS held,
    CASE WHEN :now >= t.in_flight_until AND t.in_flight > 0
      THEN t.slot_epoch + 1 ELSE t.slot_epoch END AS epoch,
    t.tat AS tenant_tat, a.tat AS app_tat,
    t.blocked_until AS tenant_blocked, a.blocked_until AS app_blocked
  FROM {rows} t, {rows} a
  WHERE t.key = :tenant AND a.key = :app
),
ok AS (
  SELECT * FROM v
  WHERE tenant_tat <= :now AND app_tat <= :now
    AND tenant_blocked <= :now AND app_blocked <= :now
    AND held < :concurrent
    AND day_count < :cap
    AND (:pace = 0 OR :backlog <= :cap - day_count
      OR day_count < :burst + :spread * (:now - day_start) / :day)
)
UPDATE rate_buckets SET
  tat = :now + CASE WHEN rate_buckets.key = :tenant THEN :minute_interval ELSE :app_interval END,
  count = CASE WHEN rate_buckets.key = :tenant THEN ok.day_count + 1 ELSE rate_buckets.count END,
  window_start = CASE WHEN rate_buckets.key = :tenant
    THEN ok.day_start ELSE rate_buckets.window_start END,
  in_flight = CASE WHEN rate_buckets.key = :tenant THEN ok.held + 1 ELSE 0 END,
  in_flight_until = CASE WHEN rate_buckets.key = :tenant
    THEN :now + :slot_ttl ELSE rate_buckets.in_flight_until END,
  slot_epoch = CASE WHEN rate_buckets.key = :tenant THEN ok.epoch ELSE rate_buckets.slot_epoch END,
  day_limit = CASE WHEN rate_buckets.key = :tenant THEN :per_day ELSE rate_buckets.day_limit END
FROM ok
WHERE rate_buckets.key IN (:tenant, :app)
RETURNING rate_buckets.key, rate_buckets.slot_epoch
"""

# A slot given back (only while its epoch is current: a slot that outlived its TTL was already
# counted free), Xero's remaining-calls headers read: the day count pulled up to Xero's, the
# minute (or app minute) held when Xero counts calls we did not make. ``-1``: not given.
_RELEASE = """
{lock_only}
UPDATE rate_buckets SET
  in_flight = CASE WHEN rate_buckets.key = :tenant AND slot_epoch = :epoch AND in_flight > 0
    THEN in_flight - 1 ELSE in_flight END,
  tat = CASE WHEN rate_buckets.key = :tenant THEN {max}(tat, :minute_hold)
    ELSE {max}(tat, :app_hold) END,
  count = CASE WHEN rate_buckets.key = :tenant AND :used >= 0
    THEN {max}(CASE WHEN :now >= window_start + :day THEN 0 ELSE count END, :used)
    ELSE count END,
  window_start = CASE WHEN rate_buckets.key = :tenant AND :used >= 0
      AND :now >= window_start + :day THEN :now ELSE window_start END,
  remaining_hint = CASE WHEN rate_buckets.key = :tenant AND :day_left >= 0 THEN :day_left
    WHEN rate_buckets.key = :app AND :app_left >= 0 THEN :app_left
    ELSE remaining_hint END
{where}
"""

_BLOCK = """
UPDATE rate_buckets SET blocked_until = {max}(blocked_until, :until) WHERE key = :key
"""

_READ = """
SELECT key, tat, count, window_start, blocked_until, in_flight, in_flight_until
FROM rate_buckets WHERE key IN (:tenant, :app)
"""


def _max(dialect: str) -> str:
    return "GREATEST" if dialect == "postgresql" else "max"


@cache
def take(dialect: str) -> TextClause:
    """The one statement that takes a call (see the module's docstring)."""
    if dialect == "postgresql":
        lock = (
            "WITH locked AS (SELECT * FROM rate_buckets WHERE key IN (:tenant, :app) "
            "ORDER BY key FOR UPDATE),"
        )
        return text(_TAKE.format(lock=lock, rows="locked"))
    return text(_TAKE.format(lock="WITH", rows="rate_buckets"))


@cache
def release(dialect: str, with_app: bool) -> TextClause:
    """The one statement that gives a slot back and reads Xero's headers; ``with_app``: the
    app's row changes too (Xero said the app minute is nearly spent)."""
    keys = "(:tenant, :app)" if with_app else "(:tenant)"
    if dialect == "postgresql" and with_app:
        lock = f"WITH locked AS (SELECT key FROM rate_buckets WHERE key IN {keys} "
        lock += "ORDER BY key FOR UPDATE)"
        where = "FROM locked WHERE rate_buckets.key = locked.key"
        return text(_RELEASE.format(lock_only=lock, max=_max(dialect), where=where))
    where = f"WHERE rate_buckets.key IN {keys}"
    return text(_RELEASE.format(lock_only="", max=_max(dialect), where=where))


@cache
def block(dialect: str) -> TextClause:
    """A 429's Retry-After: nothing on the row's budget before ``until``."""
    return text(_BLOCK.format(max=_max(dialect)))


READ = text(_READ)
