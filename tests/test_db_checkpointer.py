"""The embedded database's write-ahead log is copied into the database file by a thread of its
own (`parlour.db.Checkpointer`), not inside the commits of the event loop's thread."""

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

from prometheus_client import REGISTRY
from sqlalchemy import text

from parlour.db import WRITER_AUTOCHECKPOINT_PAGES, WRITER_CACHE_KIB, Checkpointer, Database


async def _write(db: Database, rows: int) -> None:
    for number in range(rows):
        async with db.transaction() as session:
            await session.execute(
                text("INSERT INTO notes (body) VALUES (:body)"), {"body": f"{number}" * 500}
            )


def _checkpoints_done() -> float:
    return REGISTRY.get_sample_value("parlour_sqlite_checkpoints_total", {"outcome": "done"}) or 0.0


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(500):  # 10 s
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not within 10 s")


async def test_commits_are_checkpointed_by_the_thread_and_the_log_starts_over(tmp_path: Path) -> None:
    folder = tmp_path / "support data"  # a space: the thread opens the file by a URI
    folder.mkdir()
    path = folder / "parlour.db"
    done_before = _checkpoints_done()
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            autocheckpoint = (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar()
            cache = (await session.execute(text("PRAGMA cache_size"))).scalar()
        assert cache == -WRITER_CACHE_KIB  # negative: KiB rather than pages
        # The writer would checkpoint by itself only far beyond SQLite's 1,000 pages.
        assert autocheckpoint == WRITER_AUTOCHECKPOINT_PAGES
        assert db.checkpointer is not None
        await _write(db, 300)
        await _until(lambda: db.checkpointer is not None and db.checkpointer.checkpoints >= 2)
        await asyncio.sleep(db.checkpointer.interval * 2)  # the nudge of the last commit
        # Everything in the log is in the database file: a checkpoint now has nothing left to copy.
        with sqlite3.connect(path) as probe:
            busy, logged, copied = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0
        assert logged == copied
        assert _checkpoints_done() >= done_before + 2  # /metrics
        wal_bytes = (folder / "parlour.db-wal").stat().st_size
        # 300 commits of ~1.5 KB rows: had the log never started over, it would hold them all.
        await _write(db, 300)
        await asyncio.sleep(db.checkpointer.interval * 3)
        assert (folder / "parlour.db-wal").stat().st_size <= max(wal_bytes, 1) * 1.5
        async with db.reading() as session:
            assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar() == 600
    finally:
        checkpointer = db.checkpointer
        await db.dispose()
    assert checkpointer is not None
    assert not checkpointer.running
    assert db.checkpointer is None


async def test_a_database_only_read_from_starts_no_thread(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'parlour.db'}")
    try:
        async with db.reading() as session:
            assert (await session.execute(text("SELECT 1"))).scalar() == 1
        assert db.checkpointer is None
    finally:
        await db.dispose()


async def test_the_checkpointer_never_creates_a_missing_database(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"  # a test's temporary directory, emptied while the thread ran
    orphan = Checkpointer(str(path), interval=0.01)
    orphan.nudge()
    await _until(lambda: not orphan.running)
    # It stopped on the error (the writer's own checkpoint still bounds the log) and made no file.
    assert not path.exists()
    assert orphan.checkpoints == 0
