"""Engine, sessions, the declarative Base and the one transaction helper.

Every write runs inside `transaction()`: it commits, then hands the events that the actions
recorded (see `parlour.outbox`) to the after-commit callbacks, so nothing is published for work
that was rolled back.
"""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

import structlog
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, event, inspect
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapper
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.pool import AsyncAdaptedQueuePool, Pool
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler

from parlour.lib import jsontext

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_STORED_LENGTH = len("2026-12-06 07:08:09.123456")  # SQLite text of a datetime, as SQLAlchemy writes it


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    # On SQLite, each of the two directions is one function instead of three (the decorator's
    # wrapper, the method above, SQLAlchemy's DATETIME text processor): every message binds three
    # or four datetimes and reads some back. Same text, same values (tests/test_db_types.py).
    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # SQLAlchemy's SQLite DATETIME storage format, "YYYY-MM-DD HH:MM:SS.ffffff", made in C.
        def process(value: datetime | None) -> str | None:
            if value is not None and value.tzinfo is UTC:  # `clock.now()`: its text less "+00:00"
                return value.isoformat(" ", "microseconds")[:-6]
            utc = self.process_bind_param(value, dialect)  # naive UTC, or the naive-datetime error
            return None if utc is None else utc.isoformat(" ", "microseconds")

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: str | None) -> datetime | None:
            if value is None:
                return None
            if len(value) == _STORED_LENGTH and value[19] == ".":
                # The text written above, read as UTC in one step (`replace` costs more than the parse).
                return datetime.fromisoformat(value + "+00:00")
            # What SQLAlchemy's SQLite DATETIME reads with, then the method above.
            return self.process_result_value(datetime.fromisoformat(value), dialect)

        return process


def row_values(instance: Base) -> dict[str, Any]:
    """A mapped object's values by column name, for writing it with a Core insert: objects that
    are never changed after they are written (messages, events) skip the unit of work's tracking.
    An unset primary key is left out, for the database to number it."""
    given = instance.__dict__
    values: dict[str, Any] = {}
    for attribute, column, primary in _shape(type(instance)).columns:
        # What the object holds (an unset attribute reads as None); getattr only for one that is
        # not there, expired say, so that it is loaded as usual.
        value = given[attribute] if attribute in given else getattr(instance, attribute)
        if value is None and primary:
            continue
        values[column] = value
    return values


@dataclass(frozen=True)
class _Shape:
    """What the hot path needs to know of a mapped class, looked up once per class."""

    mapper: Mapper[Any]
    columns: tuple[tuple[str, str, bool], ...]  # (attribute, column name, in the primary key)
    table_order: tuple[str, ...]  # the attributes of the table's columns, in the table's order
    primary: tuple[str, ...]  # the attributes of the primary key
    names: frozenset[str]


@cache
def _shape(cls: type[Base]) -> _Shape:
    mapper = inspect(cls)
    by_column = mapper.get_property_by_column
    return _Shape(
        mapper=mapper,
        columns=tuple((p.key, p.columns[0].key, p.columns[0].primary_key) for p in mapper.column_attrs),
        table_order=tuple(by_column(column).key for column in mapper.local_table.columns),
        primary=tuple(by_column(column).key for column in mapper.primary_key),
        names=frozenset(p.key for p in mapper.column_attrs),
    )


# Plain JSON on both backends: no query filters inside these documents.
JSONType = JSON()

AfterCommit = Callable[[list[Any]], Awaitable[None] | None]

log = structlog.get_logger("parlour.db")

# Where actions leave the outbox rows they recorded; read back only after commit.
OUTBOX_KEY = "outbox_rows"
# The driver's connection of a write transaction on the inline SQLite engine (see Prepared).
DRIVER_KEY = "driver_connection"
# What writes those rows, called once just before the commit (see parlour.outbox.recorder).
BEFORE_COMMIT_KEY = "before_commit"

T = TypeVar("T")
# A unit of work for `Database.together`: given the shared session, it reads and writes from
# scratch each time it is called (it may be called a second time, alone, see below).
Work = Callable[[AsyncSession], Awaitable[T]]
# The most units of work committed together: bounds how long the first of them waits.
MAX_TOGETHER = 128
# How well group commit works in production: how many messages share a commit, and how often a
# failing one splits its group.
GROUP_UNITS = Histogram(
    "parlour_group_commit_units",
    "Units of work (messages, activities) committed in one group-commit transaction",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
GROUP_SPLITS = Counter(
    "parlour_group_commit_splits_total", "Group-commit transactions rolled back because a unit failed"
)
CHECKPOINTS = Counter(
    "parlour_sqlite_checkpoints_total",
    "Checkpoints of SQLite's write-ahead log by the checkpointer thread",
    ["outcome"],
)
WAL_BEHIND = Gauge(
    "parlour_sqlite_wal_frames_behind",
    "Frames of SQLite's write-ahead log not yet copied into the database after the last checkpoint "
    "(grows while a long read holds an old snapshot)",
)


class Database:
    """One per process: the engine, the session factory and the after-commit listeners."""

    def __init__(self, url: str, *, sqlite_busy_timeout_ms: int = 5000, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # JSON columns (message content, event payloads) are encoded on every message.
        kwargs: dict[str, Any] = {
            "echo": echo,
            "json_serializer": jsontext.dumps,
            "json_deserializer": jsontext.loads,
        }
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": sqlite_busy_timeout_ms / 1000}
            if ":memory:" in url:
                raise ValueError("an in-memory SQLite database cannot be shared; use a file")
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self.read_engine = self.engine
        if self.is_sqlite:
            # Write transactions run their statements on the event loop's thread (see
            # InlineSQLiteDialect); reads keep aiosqlite's thread, so a long read never stalls the loop.
            self.read_engine = self.engine
            self.engine = create_async_engine(
                self.engine.url.set(drivername="sqlite+parlour_inline"),
                echo=echo,
                json_serializer=jsontext.dumps,
                json_deserializer=jsontext.loads,
                connect_args={"timeout": sqlite_busy_timeout_ms / 1000, "factory": _Connection},
            )
            _configure_sqlite(
                self.engine, autocheckpoint=WRITER_AUTOCHECKPOINT_PAGES, cache_kib=WRITER_CACHE_KIB
            )
            _configure_sqlite(self.read_engine)
            # Lookups (`looking_up`): short reads by key on the loop's thread, as the writes are.
            self.lookup_engine = create_async_engine(
                self.engine.url,
                echo=echo,
                json_serializer=jsontext.dumps,
                json_deserializer=jsontext.loads,
                connect_args={"timeout": sqlite_busy_timeout_ms / 1000, "factory": _Connection},
            )
            _configure_sqlite(self.lookup_engine)
        else:
            self.lookup_engine = self.read_engine
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self.lookup_sessions = async_sessionmaker(self.lookup_engine, expire_on_commit=False)
        self._after_commit: list[AfterCommit] = []
        # SQLite allows one writer: queueing writers here is cheaper than retrying on SQLITE_BUSY.
        self.write_lock: asyncio.Lock | None = asyncio.Lock() if self.is_sqlite else None
        self._waiting: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        self._committers: set[asyncio.Task[None]] = set()
        # SQLite has one writer, so one group at a time; PostgreSQL commits a few at once, each on
        # a connection of its own (groups of one account meet only at its stream counter, which
        # is taken just before the commit).
        self._max_committers = 1 if self.is_sqlite else 4
        self.commits_together = 0  # transactions that carried more than one unit of work
        # Started with the first commit, so that a Database only read from starts no thread.
        self.checkpointer: Checkpointer | None = None

    def on_commit(self, callback: AfterCommit) -> None:
        self._after_commit.append(callback)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commit on success, roll back on error, then publish recorded events."""
        async with self._writer(), self.sessions() as session:
            try:
                yield session
                before_commit = session.info.pop(BEFORE_COMMIT_KEY, None)
                if before_commit is not None:
                    await before_commit(session)
                await session.commit()
                if self.is_sqlite:
                    self._nudge_checkpointer()
            except BaseException:
                session.info.pop(OUTBOX_KEY, None)
                session.info.pop(BEFORE_COMMIT_KEY, None)
                await session.rollback()
                raise
            finally:
                session.info.pop(DRIVER_KEY, None)
            committed = session.info.pop(OUTBOX_KEY, [])
        if committed:
            for callback in self._after_commit:
                result = callback(committed)
                if result is not None:
                    await result

    def _nudge_checkpointer(self) -> None:
        if self.checkpointer is None:
            path = self.engine.url.database
            if not path:
                return
            self.checkpointer = Checkpointer(path)
        self.checkpointer.nudge()

    async def together(self, work: Work[T]) -> T:
        """Run `work` in a transaction it may share with others waiting at the same moment
        (group commit), and return its result once that transaction has committed.

        Customers' messages are small, frequent and independent: one transaction and one commit
        each cost more than the message itself (on SQLite the commit writes every changed page to
        the log; on PostgreSQL it flushes the log to disk; both take the account's event-stream
        row in turn). Whatever queued while one transaction ran goes into the next, so nothing
        waits for a timer and a lone message goes alone.

        If a unit of work of a shared transaction fails, nothing of it is committed: the one that
        failed runs again alone, in a transaction of its own, exactly as if it had come alone, and
        the others go on together without it; only the one that failed fails. `work` must
        therefore read what it needs through the session it is given, and may be called more
        than once.

        Once queued, the work is carried out even if the caller stops waiting (a client that
        disconnects): the write was asked for, and a resend finds it by its client id."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        # Marks the outcome as seen even when the caller has stopped waiting for it.
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._waiting.append((work, future))
        if len(self._committers) < self._max_committers:
            self._committers.add(asyncio.create_task(self._commit_waiting()))
        return await asyncio.shield(future)

    async def _commit_waiting(self) -> None:
        me = asyncio.current_task()
        group: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        try:
            while self._waiting:
                group, self._waiting = self._waiting[:MAX_TOGETHER], self._waiting[MAX_TOGETHER:]
                await self._commit_group(group)
        except asyncio.CancelledError:  # shutdown: nobody will carry out what waits
            for _work, future in group + self._waiting:
                future.cancel()
            self._waiting.clear()
            raise
        finally:
            # In the same step as the last look at the queue (no await in between): a committer
            # still counted after it stopped looking would leave new work waiting for nobody (a
            # done-callback runs a loop iteration later, after other tasks may have queued work).
            if me is not None:
                self._committers.discard(me)

    async def _commit_group(
        self, group: list[tuple[Work[Any], asyncio.Future[Any]]], *, may_split: bool = True
    ) -> None:
        if len(group) == 1:
            await self._commit_alone(*group[0])
            return
        results: list[Any] = []
        try:
            async with self.transaction() as session:
                for work, _future in group:
                    results.append(await work(session))
        except Exception as failure:
            GROUP_SPLITS.inc()
            log.debug("db.together.split", size=len(group), error=repr(failure))
            if len(results) == len(group) or not may_split:
                # The commit failed, not one of them; or a second one failed after a split (so
                # that many failures cost each unit at most three runs): each alone.
                for work, future in group:
                    await self._commit_alone(work, future)
                return
            # Nothing of the group was kept. The one that failed runs again alone and gets its own
            # answer; the others go on together without it, so that one bad request (a
            # conversation id that is not the customer's) does not cost everyone a transaction.
            failed = len(results)
            await self._commit_alone(*group[failed])
            await self._commit_group(group[:failed] + group[failed + 1 :], may_split=False)
            return
        self.commits_together += 1
        GROUP_UNITS.observe(len(group))
        for (_work, future), result in zip(group, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def _commit_alone(self, work: Work[Any], future: asyncio.Future[Any]) -> None:
        try:
            async with self.transaction() as session:
                result = await work(session)
        except Exception as failure:  # handed to the one waiting for it
            if not future.done():
                future.set_exception(failure)
        else:
            GROUP_UNITS.observe(1)
            if not future.done():
                future.set_result(result)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self.read_sessions() as session:
            yield session

    @asynccontextmanager
    async def looking_up(self) -> AsyncIterator[AsyncSession]:
        """A read of a few rows found by key (a credential, a stream's head, a replay batch), for
        the paths every request and every new connection take.

        On SQLite its statements run on the event loop's thread (`InlineSQLiteDialect`, a
        connection of its own, never the writer's): through aiosqlite each statement is handed to
        a thread and back several times, which cost more than the read; opening a customer's
        stream took 8 ms of server CPU, mostly such hand-offs. Not for reads that may be long
        (lists of a whole account, reports): those stay on `reading`, off the loop's thread.
        Elsewhere the same as `reading`."""
        async with self.lookup_sessions() as session:
            yield session

    @asynccontextmanager
    async def _writer(self) -> AsyncIterator[None]:
        if self.write_lock is None:
            yield
            return
        async with self.write_lock:
            yield

    async def dispose(self) -> None:
        for committer in list(self._committers):
            committer.cancel()
        if self.checkpointer is not None:
            await asyncio.to_thread(self.checkpointer.stop)
            self.checkpointer = None
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
        if self.lookup_engine is not self.read_engine:
            await self.lookup_engine.dispose()


Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _DriverStatement:
    """A statement compiled for the inline SQLite engine: its SQL, and for each `?` in it the
    parameter's name (or the value compiled into the statement) and the type's bind processor;
    the result columns that have a result processor, by position."""

    sql: str
    binds: tuple[tuple[str, bool, Any, Processor], ...]  # name, from params?, fixed value, processor
    results: tuple[tuple[int, Callable[[Any], Any]], ...]

    def arguments(self, params: dict[str, Any]) -> list[Any]:
        values = []
        for name, given, fixed, process in self.binds:
            value = params[name] if given else fixed
            # As SQLAlchemy does, processors see None too: a JSON column stores None as JSON null.
            values.append(value if process is None else process(value))
        return values

    def row(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self.results:
            return row
        values = list(row)
        for index, process in self.results:
            values[index] = process(values[index])
        return tuple(values)


class Prepared:
    """A Core statement built once, for the hottest writes (a customer's message and its event).

    Elsewhere it is an ordinary `session.execute`. In a write transaction on the embedded SQLite
    engine, whose driver runs on the event loop's thread (`InlineSQLiteDialect`), it runs on the
    driver's connection of that transaction directly: SQLAlchemy's work per execution (execution
    context, parameters, result metadata, a greenlet, the ORM session's bookkeeping) cost 40-100 us
    per statement, measured here, where SQLite takes 5-15 us; a message runs five. The statement is
    compiled by SQLAlchemy for the SQLite dialect (once per set of parameter names, as SQLAlchemy
    caches it) and values go through the column types' own bind and result processors, so what is
    stored and read back is what SQLAlchemy would store and read.

    Before running, pending ORM changes of the session are flushed (as the session's autoflush
    would); driver errors are raised as SQLAlchemy's exceptions (`IntegrityError`...). The ORM
    does not learn of the rows written: use it only for rows the session does not hold, or keep the
    loaded objects in step (`set_committed_value`), as `conversations.actions` does."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, ...], _DriverStatement] = {}

    async def all(self, session: AsyncSession, params: dict[str, Any]) -> Sequence[tuple[Any, ...]]:
        driver = await _inline_driver(session)
        if driver is None:
            return [tuple(row) for row in (await session.execute(self.statement, params)).all()]
        return self._run(driver, params)

    async def first(self, session: AsyncSession, params: dict[str, Any]) -> tuple[Any, ...] | None:
        rows = await self.all(session, params)
        return rows[0] if rows else None

    async def scalar(self, session: AsyncSession, params: dict[str, Any]) -> Any:
        row = await self.first(session, params)
        return None if row is None else row[0]

    async def changed(self, session: AsyncSession, params: dict[str, Any]) -> int:
        """How many rows an INSERT, UPDATE or DELETE without RETURNING wrote (an INSERT ... ON
        CONFLICT DO NOTHING: 0 or 1). On SQLite, RETURNING makes the statement collect its rows in
        a temporary table first: a message's insert took 16 us with it and 13 without."""
        driver = await _inline_driver(session)
        if driver is None:
            return int(getattr(await session.execute(self.statement, params), "rowcount", 0))
        return self._execute(driver, params, lambda cursor: cursor.rowcount)[1]

    async def each(self, session: AsyncSession, many: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The statement once per parameter set (an INSERT ... RETURNING of several rows): the
        first row each returned, in the order given."""
        driver = await _inline_driver(session)
        if driver is None:
            result = await session.execute(self.statement, many)
            return [tuple(row) for row in result.all()]
        found = []
        for params in many:
            rows = self._run(driver, params)
            if not rows:
                raise LookupError("the statement returned no row")
            found.append(rows[0])
        return found

    def _run(self, driver: sqlite3.Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        compiled, rows = self._execute(driver, params, lambda cursor: cursor.fetchall())
        return [compiled.row(row) for row in rows]

    def _execute(
        self, driver: sqlite3.Connection, params: dict[str, Any], read: Callable[[sqlite3.Cursor], T]
    ) -> tuple[_DriverStatement, T]:
        """The statement on the driver's connection, and what `read` takes of its cursor; driver
        errors raised as SQLAlchemy's."""
        compiled = self._for(params)
        arguments = compiled.arguments(params)
        try:
            return compiled, read(driver.execute(compiled.sql, arguments))
        except sqlite3.Error as failure:
            raise DBAPIError.instance(compiled.sql, arguments, failure, sqlite3.Error) from failure

    def _for(self, params: dict[str, Any]) -> _DriverStatement:
        keys = tuple(params)
        compiled = self._compiled.get(keys)
        if compiled is None:
            compiled = self._compiled[keys] = _compile_for_driver(self.statement, keys)
        return compiled


M = TypeVar("M", bound=Base)


def _in_identity_map(session: AsyncSession, cls: type[Base], key: tuple[Any, ...]) -> Any:
    return session.sync_session.identity_map.get(_shape(cls).mapper.identity_key_from_primary_key(key))


def adopt(session: AsyncSession, cls: type[M], row: Sequence[Any]) -> M:
    """The session's persistent object for a row of all `cls`'s table columns in the table's order
    (a `Prepared` select of `cls.__table__.c`), as an ORM select would give it: the object the
    session holds already if it does (with what this transaction changed), otherwise one built from
    the row and put in the session's identity map as loaded, so that changes to it are flushed as
    usual. For the hot path, where a loading select through the ORM cost three times the statement
    itself, and `session.add` of a detached object (state checks, cascades) about as much again."""
    shape = _shape(cls)
    values = dict(zip(shape.table_order, row, strict=True))
    key = shape.mapper.identity_key_from_primary_key(tuple(values[name] for name in shape.primary))
    sync = session.sync_session
    held = sync.identity_map.get(key)
    if held is not None:
        # Expired attributes (none, unless something expired them) are taken from the row, as a
        # load would refresh them.
        for name in list(instance_state(held).expired_attributes):
            set_committed_value(held, name, values[name])
        return cast(M, held)
    instance = loaded(cls, values)
    # What SQLAlchemy's loader does with a row it has not seen (orm/loading.py, `_instance`): the
    # state gets its identity and session and enters the identity map; nothing is pending.
    state = instance_state(instance)
    state.key = key
    state.identity_token = key[2]
    state.session_id = sync.hash_key
    sync.identity_map._add_unpresent(state, key)
    return instance


def loaded(cls: type[M], values: dict[str, Any]) -> M:
    """A new object of a mapped class holding `values` (by attribute name) as a load sets them:
    straight into its state, with no change event and no history. The constructor fires an event
    per attribute, which on the hot path cost more than writing the row. The object is transient
    until added to a session; an attribute not given reads as None, as after the constructor."""
    shape = _shape(cls)
    if not values.keys() <= shape.names:
        raise TypeError(f"{cls.__name__} has no attribute {sorted(values.keys() - shape.names)}")
    instance = cast(M, shape.mapper.class_manager.new_instance())
    instance.__dict__.update(values)
    return instance


def held(session: AsyncSession, cls: type[M], key: Any) -> M | None:
    """The object the session holds for this primary key, as `session.get` would return it, when
    that needs no statement; else None (then ask `session.get`). `session.get` always starts a
    greenlet, which costs more than the lookup on the hot path."""
    instance = _in_identity_map(session, cls, (key,))
    if instance is None or instance_state(instance).expired:
        return None
    return cast(M, instance)


async def get(session: AsyncSession, cls: type[M], key: Any) -> M | None:
    """`session.get`, without its greenlet when the session holds the object already (`held`)."""
    return held(session, cls, key) or await session.get(cls, key)


@cache
def _inline_dialect() -> "InlineSQLiteDialect":
    # The engine's JSON settings: the JSON type's processors take them from the dialect.
    return InlineSQLiteDialect(json_serializer=jsontext.dumps, json_deserializer=jsontext.loads)


def _compile_for_driver(statement: Executable, keys: tuple[str, ...]) -> _DriverStatement:
    dialect = _inline_dialect()
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=list(keys)))  # type: ignore[attr-defined]
    if compiled.post_compile_params or compiled.literal_execute_params:
        raise ValueError("Prepared statements cannot expand parameters (IN lists)")
    binds = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        given = name in keys
        if not given and bind.required:
            raise KeyError(f"parameter {name!r} is required")
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        binds.append((name, given, None if given else bind.effective_value, process))
    columns = getattr(statement, "exported_columns", ())
    processors = (column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
    results = tuple((index, process) for index, process in enumerate(processors) if process is not None)
    return _DriverStatement(compiled.string, tuple(binds), results)


async def _inline_driver(session: AsyncSession) -> sqlite3.Connection | None:
    """The driver's connection of this write transaction, if it is the inline SQLite engine's."""
    driver = session.info.get(DRIVER_KEY)
    if driver is None:
        if not isinstance(session.get_bind().dialect, InlineSQLiteDialect):
            session.info[DRIVER_KEY] = False
            return None
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        driver = session.info[DRIVER_KEY] = raw.driver_connection
    elif driver is False:
        return None
    # Pending ORM changes first, as autoflush would. The synchronous flush (a no-op when nothing
    # changed) needs no greenlet here: this engine's driver never awaits, and the transaction's
    # connection is checked out already.
    session.sync_session.flush()
    return cast(sqlite3.Connection, driver)


class _Cursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """What SQLAlchemy's asyncio facade calls on an adapted cursor; rows are in memory already."""


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """The standard library's sqlite3 driver behind SQLAlchemy's asyncio API, run on the event
    loop's thread: the engine of write transactions.

    aiosqlite hands each driver call (cursor, execute, fetch, close: about four per statement) to a
    thread and back, and SQLAlchemy's adapter for it switches greenlets at each one. Under load
    every hand-back waits behind the loop's other work while the transaction holds the process's
    write lock. The statements themselves take microseconds (WAL, pages in memory, no fsync at
    commit with synchronous=NORMAL), so running them inline is far cheaper: measured here, a
    prepared Core statement costs ~90 us through aiosqlite and ~40 us through this dialect. The
    driver is the same sqlite3 module aiosqlite wraps, so transactions behave identically. Reads
    keep aiosqlite's thread, so a long read never stalls the loop.

    `is_async` only tells SQLAlchemy that the asyncio facade may drive it: nothing here awaits.
    """

    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[Pool]:
        return AsyncAdaptedQueuePool


registry.register("sqlite.parlour_inline", "parlour.db", "InlineSQLiteDialect")


# Pages of the log after which the writer checkpoints by itself, should the checkpointer thread
# fall behind (SQLite's default, 1,000 pages, is what it does on every ~1,000th page otherwise).
WRITER_AUTOCHECKPOINT_PAGES = 20_000
# The writer's page cache: 64 MiB instead of SQLite's default 2 MiB, which a database of a few
# thousand messages outgrows (each message and event writes pages of several indexes). One
# connection writes, so in WAL mode its cache stays valid from one transaction to the next; the
# readers keep the default (there are up to fifteen of them, and the OS caches the file too).
WRITER_CACHE_KIB = 64 * 1024


def _configure_sqlite(
    engine: AsyncEngine, *, autocheckpoint: int | None = None, cache_kib: int | None = None
) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer; NORMAL sync is durable across process crashes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if cache_kib is not None:
            cursor.execute(f"PRAGMA cache_size=-{cache_kib}")
        if autocheckpoint is not None:
            cursor.execute(f"PRAGMA wal_autocheckpoint={autocheckpoint}")
        cursor.close()


class Checkpointer:
    """Copies the write-ahead log into the database file on a thread of its own.

    SQLite otherwise checkpoints inside the commit that takes the log past 1,000 pages: that commit
    copies the pages and syncs both files on the event loop's thread (the inline write engine),
    which stalls every connection of the process meanwhile. A passive checkpoint runs beside the
    writer (it never blocks it, nor readers), and the sqlite3 module lets go of the GIL while it
    works, so it runs on the second core. The writer keeps a far-off automatic checkpoint
    (`WRITER_AUTOCHECKPOINT_PAGES`) in case this thread falls behind. Durability is SQLite's own
    either way: a commit is in the log before it returns.

    `nudge()` after a commit; the thread checkpoints at most once per `interval` while commits come."""

    def __init__(self, path: str, interval: float = 0.25) -> None:
        self.path = path
        self.interval = interval
        self.checkpoints = 0
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        self._wanted.set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        self._wanted.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while True:
                self._wanted.wait()
                if self._stop.is_set():
                    return
                self._wanted.clear()
                if connection is None:
                    try:
                        # mode=rw: never create a database where the file is gone (a test's
                        # temporary directory, say).
                        uri = Path(self.path).absolute().as_uri() + "?mode=rw"
                        connection = sqlite3.connect(uri, uri=True, timeout=5)
                    except sqlite3.Error as failure:
                        # The writer's own automatic checkpoint still bounds the log.
                        log.warning("db.checkpointer.stopped", error=repr(failure))
                        return
                try:
                    # PASSIVE copies what no reader still needs, beside the writer; the next
                    # writer starts the log over once all of it is copied.
                    # fetchall: a statement left unfinished would keep a read open on the log.
                    ((_busy, logged, copied),) = connection.execute(
                        "PRAGMA wal_checkpoint(PASSIVE)"
                    ).fetchall()
                    self.checkpoints += 1
                    CHECKPOINTS.labels("done").inc()
                    WAL_BEHIND.set(max(logged - copied, 0))
                except sqlite3.Error as failure:  # tried again at the next commit
                    CHECKPOINTS.labels("failed").inc()
                    log.warning("db.checkpointer.failed", error=repr(failure))
                # Not more often than this while commits keep coming: each checkpoint syncs.
                if self._stop.wait(self.interval):
                    return
        finally:
            if connection is not None:
                connection.close()
