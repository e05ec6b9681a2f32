"""Benchmark: the server's CPU per customer message on the write path, in one process.

No sockets and no second process: N customers post M text messages each through the same code
a customer's stream runs for a `message` frame (`Database.together` around the conversation read
through the customer's participation and `conversations.actions.do_post_message`, with the
switchboard and the agent workspace listening, as `parlour serve` wires them). All N send at
once, each waiting for its own commit, so messages share group commits as they do under load.
What it prints is CPU time of this process per message: with the server's sockets out of the
picture, a change to the write path shows here with far less noise than in `realtime.py`, and two
versions can be compared side by side, one per core (`taskset -c 0` and `-c 1` at the same time).

    .venv/bin/python bench/write_path.py [--conversations 100] [--messages 60] [--rounds 3] [--json]
    .venv/bin/python bench/write_path.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/NAME
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from api_messages import machine, parlour_command, redact
from parlour import wiring
from parlour.conversations import actions as conversation_actions
from parlour.conversations.models import Message
from parlour.db import Database
from parlour.onboarding import actions as onboarding_actions
from parlour.people import actions as people_actions
from parlour.switchboard import actions as switchboard_actions
from parlour.switchboard import builtin
from parlour.switchboard import queries as switchboard_queries
from realtime import code_version


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=100, help="customers sending at once (N)")
    parser.add_argument("--messages", type=int, default=60, help="messages per customer per round (M)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of N x M messages, each timed")
    parser.add_argument(
        "--database-url", default=None, help="migrated and used instead of a temporary SQLite file"
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    if args.conversations < 1 or args.messages < 1 or args.rounds < 1:
        parser.error("--conversations, --messages and --rounds must be at least 1")
    return args


async def set_up(db: Database, customers: int) -> tuple[Any, list[tuple[Any, str]]]:
    """A new account whose agent workspace answers first (the workload is a customer talking to
    an agent), and `customers` customers with a personal conversation each."""
    async with db.transaction() as session:
        account = await onboarding_actions.do_create_account(session, name=f"bench-{secrets.token_hex(4)}")
        switchboard = await switchboard_queries.get_switchboard(session, account.id)
        if switchboard is None:
            raise RuntimeError("the new account has no switchboard")
        integrations = await switchboard_queries.list_switchboard_integrations(session, switchboard.id)
        workspace = next(s for s in integrations if s.integration_type == builtin.AGENT_WORKSPACE)
        await switchboard_actions.do_update_switchboard(
            session, switchboard, enabled=None, default_id=workspace.id
        )
    made = []
    async with db.transaction() as session:
        for _ in range(customers):
            user = await people_actions.do_create_user(session, account, external_id=None)
            conversation = await conversation_actions.do_create_conversation(
                session, account, type="personal", users=[user]
            )
            made.append((user, conversation.id))
    return account, made


async def customer(
    db: Database, account: Any, user: Any, conversation_id: str, round_: int, count: int
) -> None:
    author = conversation_actions.Author.of_user(user)
    for number in range(count):

        async def post(session: Any, number: int = number) -> dict[str, Any]:
            posted = await conversation_actions.do_post_customer_message(
                session,
                account,
                conversation_id,
                author,
                {"type": "text", "text": f"Message {number} of round {round_}: where is my order?"},
                client_message_id=f"bench-{round_}-{number}",
                source_type="web",
            )
            return posted.json

        await db.together(post)


async def run(url: str, args: argparse.Namespace) -> list[dict[str, float]]:
    wiring.install()
    db = Database(url)
    try:
        account, made = await set_up(db, args.conversations)
        rounds = []
        for round_ in range(args.rounds):
            groups_before = db.commits_together
            cpu, wall = time.process_time(), time.perf_counter()
            await asyncio.gather(
                *(customer(db, account, user, cid, round_, args.messages) for user, cid in made)
            )
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            sent = args.conversations * args.messages
            rounds.append(
                {
                    "messages": sent,
                    "cpu_us_per_message": round(1e6 * cpu / sent, 1),
                    "wall_us_per_message": round(1e6 * wall / sent, 1),
                    "messages_per_s": round(sent / wall, 1),
                    "shared_commits": db.commits_together - groups_before,
                }
            )
        # Every message stored, once: a benchmark of a write path that lost some would be worthless.
        async with db.reading() as session:
            stored = await session.scalar(
                select(func.count()).select_from(Message).where(Message.account_id == account.id)
            )
        expected = args.conversations * args.messages * args.rounds
        if stored != expected:
            sys.exit(f"{stored} messages stored, {expected} sent")
        return rounds
    finally:
        await db.dispose()


def main() -> None:
    args = parse_args()
    workdir = None
    url = args.database_url
    if url is None:
        workdir = Path(tempfile.mkdtemp(prefix="parlour-bench-"))
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    # Migrated with the CLI (a given database too: the account is new, so earlier runs do not matter).
    env = {**os.environ, "PARLOUR_DATABASE_URL": url}
    subprocess.run([parlour_command(), "migrate"], env=env, check=True, capture_output=True)
    try:
        rounds = asyncio.run(run(url, args))
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    info = machine()
    print(f"machine:            {info['cpu']}, {info['cores']} cores, Python {info['python']}")
    print(f"code:               {code_version()}")
    print(f"database:           {redact(url)}")
    print(
        f"workload:           {args.conversations} customers x {args.messages} messages, {args.rounds} rounds"
    )
    for number, figures in enumerate(rounds):
        print(
            f"round {number}:            {figures['cpu_us_per_message']:.0f} us CPU per message, "
            f"{figures['wall_us_per_message']:.0f} us wall ({figures['messages_per_s']:.0f} messages/s), "
            f"{figures['shared_commits']} shared commits"
        )
    best = min(r["cpu_us_per_message"] for r in rounds)
    print(f"best round:         {best:.0f} us of CPU per message")
    if args.json:
        print(json.dumps({"machine": info, "code": code_version(), "rounds": rounds, "best_cpu_us": best}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
