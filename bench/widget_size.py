"""Benchmark: the web widget's weight and speed.

Prints the gzipped bytes of the launcher (`/widget/snippet.js`, loaded on every page of the
business's site) and of the messenger (`/widget/messenger.js`, loaded when the customer opens
it), as the server sends them, against the budget (launcher <= 10 KB, messenger <= 40 KB gzipped).
Then starts a real `parlour serve` on a temporary SQLite database with the demo account and, in
headless Chromium, measures on the /demo page: page load (navigation start) to the launcher
visible, and click on the launcher to the messenger ready (the composer shown and focused).
Medians of --runs fresh browser profiles.

    .venv/bin/python bench/widget_size.py [--runs 5] [--json]
"""

import argparse
import asyncio
import gzip
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright

from api_messages import Server, cli, machine, parlour_command, start_server, stop_server, wait_ready

BUDGET = {"launcher": 10 * 1024, "messenger": 40 * 1024}
CHROMIUM = os.environ.get("PARLOUR_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
READY = "document.querySelector('#parlour-widget')?.shadowRoot?.querySelector('{}')"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="fresh browser profiles to time (default 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    return parser.parse_args()


async def weights(server: Server) -> dict[str, int]:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        sizes = {}
        for name, path in (("launcher", "/widget/snippet.js"), ("messenger", "/widget/messenger.js")):
            response = await client.get(path)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}: run `make web` first")
            sizes[name] = len(gzip.compress(response.content, compresslevel=9))
    return sizes


async def timings(server: Server, runs: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {"launcher_visible_ms": [], "messenger_ready_ms": []}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for _ in range(runs):
                context = await browser.new_context(viewport={"width": 1280, "height": 800})
                page = await context.new_page()
                await page.goto(f"{server.base_url}/demo")
                await page.wait_for_function(
                    f"{READY.format('.launcher')}?.getBoundingClientRect().width > 0"
                )
                found["launcher_visible_ms"].append(await page.evaluate("performance.now()"))
                started = await page.evaluate("performance.now()")
                await page.evaluate(f"{READY.format('.launcher')}.click()")
                await page.wait_for_function(
                    f"{READY.format('textarea')} && {READY.format('textarea')} === "
                    "document.querySelector('#parlour-widget').shadowRoot.activeElement"
                )
                found["messenger_ready_ms"].append(await page.evaluate("performance.now()") - started)
                await context.close()
        finally:
            await browser.close()
    return found


def report(sizes: dict[str, int], times: dict[str, list[float]], as_json: bool) -> None:
    medians = {name: round(statistics.median(values), 1) for name, values in times.items()}
    result: dict[str, Any] = {
        "gzipped_bytes": sizes,
        "budget_bytes": BUDGET,
        "within_budget": all(sizes[name] <= BUDGET[name] for name in BUDGET),
        "median_ms": medians,
        "runs": len(next(iter(times.values()))),
        "machine": machine(),
    }
    if as_json:
        print(json.dumps(result, indent=2))
        return
    print("Parlour web widget")
    for name in ("launcher", "messenger"):
        verdict = "ok" if sizes[name] <= BUDGET[name] else "OVER BUDGET"
        print(
            f"  {name:<10} {sizes[name] / 1024:6.1f} KB gzipped"
            f"  (budget {BUDGET[name] // 1024} KB: {verdict})"
        )
    print(
        f"  page load -> launcher visible   {medians['launcher_visible_ms']:7.1f} ms"
        f" (median of {result['runs']})"
    )
    print(f"  click -> messenger ready        {medians['messenger_ready_ms']:7.1f} ms")


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="parlour-bench-widget-"))
    env = {
        **os.environ,
        "PARLOUR_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        "PARLOUR_DATA_DIR": str(workdir),
        "PARLOUR_LOG_LEVEL": "warning",
    }
    parlour = parlour_command()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    server: Server | None = None
    try:
        cli(parlour, env, "migrate")
        cli(parlour, env, "demo")
        server = start_server(parlour, env, workdir)
        asyncio.run(wait_ready(server))
        sizes = asyncio.run(weights(server))
        times = asyncio.run(timings(server, args.runs))
        report(sizes, times, args.json)
        if not all(sizes[name] <= BUDGET[name] for name in BUDGET):
            sys.exit(1)
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
