"""`UTCDateTime` on SQLite: its fused processors write and read what SQLAlchemy's own chain
(the decorator's methods around the SQLite DATETIME type) does, so rows written before and after
them read the same."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects.sqlite import DATETIME
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from parlour.db import UTCDateTime

_DIALECT = SQLiteDialect_pysqlite()
_PLUS_2 = timezone(timedelta(hours=2))
_MOMENTS = [
    datetime(2026, 12, 6, 7, 8, 9, 123456, tzinfo=UTC),
    datetime(2026, 12, 6, 7, 8, 9, tzinfo=UTC),  # no microseconds: still written out
    datetime(2026, 1, 1, 0, 30, tzinfo=_PLUS_2),  # another zone: stored as UTC, the day before
    datetime(999, 3, 4, 5, 6, 7, 8, tzinfo=UTC),  # a year of three digits
]


def _fused() -> tuple[object, object]:
    impl = UTCDateTime().dialect_impl(_DIALECT)
    return impl.bind_processor(_DIALECT), impl.result_processor(_DIALECT, None)


@pytest.mark.parametrize("moment", _MOMENTS)
def test_the_text_written_is_sqlalchemys(moment: datetime) -> None:
    bind, _result = _fused()
    assert callable(bind)
    sqlalchemys = DATETIME().bind_processor(_DIALECT)
    assert sqlalchemys is not None
    expected = sqlalchemys(UTCDateTime().process_bind_param(moment, _DIALECT))
    assert bind(moment) == expected
    assert bind(None) is None


@pytest.mark.parametrize(
    "text", ["2026-12-06 07:08:09.123456", "2026-12-06 07:08:09", "2026-12-06 09:08:09.5+02:00"]
)
def test_the_value_read_is_sqlalchemys(text: str) -> None:
    _bind, result = _fused()
    assert callable(result)
    sqlalchemys = DATETIME().result_processor(_DIALECT, None)
    assert sqlalchemys is not None
    expected = UTCDateTime().process_result_value(sqlalchemys(text), _DIALECT)
    read = result(text)
    assert read == expected
    assert read is not None and read.tzinfo is UTC
    assert result(None) is None


@pytest.mark.parametrize("moment", _MOMENTS)
def test_a_moment_comes_back_as_the_same_instant_in_utc(moment: datetime) -> None:
    bind, result = _fused()
    assert callable(bind) and callable(result)
    back = result(bind(moment))
    assert back == moment
    assert back.tzinfo is UTC


def test_a_naive_datetime_is_refused() -> None:
    bind, _result = _fused()
    assert callable(bind)
    with pytest.raises(ValueError, match="naive"):
        bind(datetime(2026, 12, 6, 7, 8, 9))
