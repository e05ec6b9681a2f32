"""The `parlour` command: run the server, migrate, and manage accounts from a shell."""

import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from parlour import migrate as migrations
from parlour import wiring
from parlour.accounts import actions as account_actions
from parlour.accounts import queries as account_queries
from parlour.db import Database
from parlour.lib.errors import ParlourError
from parlour.onboarding import actions as onboarding
from parlour.people import actions as people_actions
from parlour.settings import get_settings

app = typer.Typer(
    help="Parlour: self-hostable customer messaging. Settings come from PARLOUR_* environment variables.",
    no_args_is_help=True,
    add_completion=False,
)
T = TypeVar("T")


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    settings = get_settings()
    wiring.install()

    async def main() -> T:
        db = Database(settings.database_url, sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        try:
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except ParlourError as exc:
        typer.secho(f"error: {exc.title}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default PARLOUR_HOST or 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default PARLOUR_PORT or 8000).")] = None,
    migrate: Annotated[bool, typer.Option(help="Apply database migrations before serving.")] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Server processes on this machine (more than 1 needs PARLOUR_REDIS_URL)."
        ),
    ] = 1,
) -> None:
    """Serve the API, the real-time streams and background jobs until interrupted."""
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    settings = get_settings()
    if workers > 1 and not settings.redis_url:
        typer.secho(
            "error: --workers above 1 needs PARLOUR_REDIS_URL, which carries events between the processes",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(code=2)
    if migrate:
        migrations.upgrade(settings.database_url)
    uvicorn.run(
        "parlour.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,
        # The application's own ping/pong (docs/client-api.md) is the heartbeat; compression
        # contexts would be about half of each idle connection's memory.
        ws_ping_interval=None,
        ws_per_message_deflate=False,
    )


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    down: Annotated[bool, typer.Option("--down", help="Downgrade to REVISION instead.")] = False,
) -> None:
    """Apply (or with --down, revert) database migrations."""
    url = get_settings().database_url
    if down:
        migrations.downgrade(url, revision)
    else:
        migrations.upgrade(url, revision)
    typer.echo(f"database at {revision}: {url}")


@app.command()
def demo() -> None:
    """Create the demo account (once) and print its sign-in and API credentials."""
    migrations.upgrade(get_settings().database_url)

    async def work(db: Database) -> onboarding.Demo:
        async with db.transaction() as session:
            return await onboarding.do_seed_demo(session)

    seeded = _run(work)
    base = get_settings().base_url
    typer.echo("")
    typer.secho("Parlour demo account " + ("created" if seeded.created else "ready"), bold=True)
    typer.echo(f"  App id:        {seeded.account.id}")
    typer.echo(f"  Admin sign-in: {onboarding.DEMO_ADMIN_EMAIL} / {onboarding.DEMO_PASSWORD}")
    typer.echo(f"  Agent sign-in: {onboarding.DEMO_AGENT_EMAIL} / {onboarding.DEMO_PASSWORD}")
    typer.echo(f"  API key:       {seeded.key_id}")
    typer.echo(f"  API secret:    {seeded.secret}")
    typer.echo(f"  Try it:        curl -u {seeded.key_id}:{seeded.secret} {base}/v2/apps/{seeded.account.id}")
    typer.echo(f"  Demo shop:     {base}/demo   (the web widget, as a customer sees it)")
    typer.echo(f"  Workspace:     {base}/agent/{seeded.account.id}")
    typer.echo(f"  Admin center:  {base}/admin/{seeded.account.id}")
    typer.echo(f"  API docs:      {base}/docs")
    typer.echo("")


@app.command("create-account")
def create_account(
    name: Annotated[str, typer.Argument(help="Short handle: lowercase letters, digits, - or _.")],
    display_name: Annotated[str | None, typer.Option(help="Name shown to customers.")] = None,
    mode: Annotated[str, typer.Option(help="messaging or live_chat.")] = "messaging",
    locale: Annotated[str, typer.Option(help="Default locale, e.g. en or fr.")] = "en",
    time_zone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/Paris.")] = "UTC",
) -> None:
    """Create an account (app) with its switchboard and a first group; print it as JSON."""

    async def work(db: Database) -> dict[str, str]:
        async with db.transaction() as session:
            account = await onboarding.do_create_account(
                session, name=name, display_name=display_name, mode=mode, locale=locale, time_zone=time_zone
            )
            return {"app_id": account.id, "name": account.name}

    typer.echo(json.dumps(_run(work)))


@app.command("create-staff")
def create_staff(
    account: Annotated[str, typer.Option(help="Account name.")],
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[str, typer.Option(help="admin or agent.")] = "agent",
    password_env: Annotated[
        str, typer.Option(help="Read the password from this environment variable instead of prompting.")
    ] = "PARLOUR_STAFF_PASSWORD",  # noqa: S107 - the name of a variable, not a password
) -> None:
    """Create a staff member (admin or agent) in an account."""
    password = os.environ.get(password_env) or (getpass.getpass("Password: ") if sys.stdin.isatty() else "")
    if not password:
        typer.secho(
            f"error: set {password_env} or run in a terminal to be prompted", fg=typer.colors.RED, err=True
        )
        raise typer.Exit(code=2)

    async def work(db: Database) -> dict[str, str]:
        async with db.transaction() as session:
            found = await account_queries.get_account_by_name(session, account)
            if found is None:
                raise ParlourError(f"no account named {account!r}")
            staff = await people_actions.do_create_staff(
                session, found, email=email, name=name, role=role, password=password
            )
            return {"staff_id": staff.id, "email": staff.email, "role": staff.role}

    typer.echo(json.dumps(_run(work)))


@app.command("create-api-key")
def create_api_key(
    account: Annotated[str, typer.Option(help="Account name.")],
    display_name: Annotated[str, typer.Option(help="A name to recognise the key by.")] = "CLI key",
) -> None:
    """Create an API key for the server API; print {"app_id", "key_id", "secret"} (shown once)."""

    async def work(db: Database) -> dict[str, str]:
        async with db.transaction() as session:
            found = await account_queries.get_account_by_name(session, account)
            if found is None:
                raise ParlourError(f"no account named {account!r}")
            new = await account_actions.do_create_api_key(session, found, display_name=display_name)
            return {"app_id": found.id, "key_id": new.key.id, "secret": new.secret}

    typer.echo(json.dumps(_run(work)))


ai_app = typer.Typer(help="The AI agent: score its answer-flow decisions.", no_args_is_help=True)
app.add_typer(ai_app, name="ai")


@ai_app.command("eval")
def ai_eval(
    format: Annotated[str, typer.Option("--format", help="banking77 (CSV text,category) or clinc150.")],
    train: Annotated[Path, typer.Option(help="Training file: every label becomes an answer flow.")],
    test: Annotated[Path, typer.Option(help="Questions to answer (for clinc150 the val and oos_val lists).")],
    shots: Annotated[
        int | None, typer.Option(min=1, help="Training phrases per flow, chosen with --seed (default: all).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for choosing the --shots phrases.")] = 0,
    flow_names: Annotated[
        bool,
        typer.Option(
            "--flow-names",
            help="Also train each flow on its name (the label's words), as live flows are; "
            "off by default: the datasets' protocol gives a flow only its examples.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Build answer flows from labelled questions and score the AI agent's decisions on a test set."""
    from rich.console import Console  # noqa: PLC0415 - only this command draws a progress bar
    from rich.progress import Progress  # noqa: PLC0415

    from parlour.ai_agent import evaluation  # noqa: PLC0415 - loads the language model's libraries

    if format not in evaluation.FORMATS:
        formats = ", ".join(evaluation.FORMATS)
        typer.secho(f"error: --format must be one of {formats}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2)
    kind: evaluation.Format = "banking77" if format == "banking77" else "clinc150"
    try:
        train_set = evaluation.load(train, kind, split="train")
        test_set = evaluation.load(test, kind, split="test")
    except evaluation.DatasetError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from None
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("training answer flows", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, description="answering questions", completed=done, total=total)

        report = evaluation.evaluate(
            kind, train_set, test_set, shots=shots, seed=seed, with_flow_names=flow_names, progress=advance
        )
    typer.echo(json.dumps(report.as_dict()) if as_json else report.as_text())


helpcenter_app = typer.Typer(help="The help center: import articles.", no_args_is_help=True)
app.add_typer(helpcenter_app, name="helpcenter")


@helpcenter_app.command("import")
def helpcenter_import(
    path: Annotated[
        Path, typer.Argument(help="A folder of Markdown/HTML files, or a Zendesk articles JSON.")
    ],
    account: Annotated[str, typer.Option(help="Account name.")],
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Articles written per transaction.")] = 50,
) -> None:
    """Import help-center articles; running it again updates what changed and adds nothing twice."""
    from parlour.helpcenter import actions as helpcenter_actions  # noqa: PLC0415 - only this command
    from parlour.helpcenter import importer  # noqa: PLC0415

    try:
        items = importer.read_source(path)
    except ParlourError as exc:
        typer.secho(f"error: {exc.title}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from None
    counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    problems = [f"{item.source}: {item.problem}" for item in items if item.spec is None]
    counts["failed"] = len(problems)
    specs = [(item.source, item.spec) for item in items if item.spec is not None]

    async def work(db: Database) -> None:
        async with db.reading() as session:
            found = await account_queries.get_account_by_name(session, account)
        if found is None:
            raise ParlourError(f"no account named {account!r}")
        with typer.progressbar(length=len(specs), label="Importing articles", file=sys.stderr) as bar:
            for start in range(0, len(specs), batch):
                async with db.transaction() as session:
                    for source, spec in specs[start : start + batch]:
                        try:
                            outcome = await helpcenter_actions.do_import_article(session, found, spec)
                        except ParlourError as exc:
                            problems.append(f"{source}: {exc.title}")
                            counts["failed"] += 1
                        else:
                            counts[outcome] += 1
                bar.update(len(specs[start : start + batch]))

    _run(work)
    for problem in problems:
        typer.secho(f"skipped {problem}", fg=typer.colors.YELLOW, err=True)
    typer.echo(json.dumps(counts))
    if counts["failed"]:
        raise typer.Exit(code=1)


def main() -> None:
    app()
