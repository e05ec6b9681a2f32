"""`parlour ai eval`, run as a user runs it, on small slices of the shared evaluation sets."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_independent

EVAL = Path(os.environ.get("PARLOUR_EVAL_DATA", Path(__file__).resolve().parents[2] / "shared" / "eval"))
BANKING = ["card_arrival", "exchange_rate", "lost_or_stolen_card", "top_up_failed", "change_pin"]
CLINC = ["weather", "alarm", "translate", "balance", "timezone", "flip_coin"]


def _parlour(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "parlour", *args],
        cwd=cwd,
        env={**os.environ, "PARLOUR_DATABASE_URL": f"sqlite+aiosqlite:///{cwd}/cli.db"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _banking_slice(source: Path, target: Path, per_label: int) -> Path:
    with source.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["category"] in BANKING]
    kept: list[dict[str, str]] = []
    for label in BANKING:
        kept += [row for row in rows if row["category"] == label][:per_label]
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "category"])
        writer.writeheader()
        writer.writerows(kept)
    return target


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (EVAL / "banking77" / "train.csv").exists():
        pytest.skip(f"the shared evaluation sets are not at {EVAL} (set PARLOUR_EVAL_DATA)")
    folder = tmp_path_factory.mktemp("eval")
    _banking_slice(EVAL / "banking77" / "train.csv", folder / "train.csv", 40)
    _banking_slice(EVAL / "banking77" / "dev.csv", folder / "dev.csv", 8)
    full = json.loads((EVAL / "clinc150" / "dev.json").read_text(encoding="utf-8"))
    small = {
        "train": [pair for label in CLINC for pair in [p for p in full["train"] if p[1] == label][:50]],
        "oos_train": full["oos_train"][:40],
        "val": [pair for pair in full["val"] if pair[1] in CLINC],
        "oos_val": full["oos_val"][:20],
    }
    (folder / "clinc.json").write_text(json.dumps(small), encoding="utf-8")
    return folder


def _banking_5_shot(data: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return _parlour(
        "ai", "eval", "--format", "banking77", "--train", str(data / "train.csv"),
        "--test", str(data / "dev.csv"), "--shots", "5", "--seed", "7", *options,
        cwd=data,
    )  # fmt: skip


def test_banking77_few_shot_scores_every_question_as_json(data: Path) -> None:
    result = _banking_5_shot(data, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["labels"] == 5 and report["train_examples"] == 25 and report["shots"] == 5
    assert report["in_scope_questions"] == 40 and report["out_of_scope_recall"] is None
    assert report["in_scope_accuracy"] >= 0.8
    assert report["in_scope_accuracy"] + report["clarify_rate"] + report["handoff_rate"] <= 1.0
    assert 0 < report["latency_median_ms"] <= report["latency_p99_ms"] < 1000
    assert report["cpu_count"] >= 1 and "MiniLM" in report["model"]
    again = _banking_5_shot(data, "--json")
    assert json.loads(again.stdout)["in_scope_accuracy"] == report["in_scope_accuracy"]
    # The datasets' protocol gives a flow only its examples; the label's words only on request.
    assert report["flow_names"] is False
    named = _banking_5_shot(data, "--flow-names")
    assert named.returncode == 0, named.stderr
    assert "5-shot, seed 7, + flow names" in named.stdout


def test_clinc150_reports_out_of_scope_recall_in_text(data: Path) -> None:
    result = _parlour(
        "ai", "eval", "--format", "clinc150", "--train", str(data / "clinc.json"),
        "--test", str(data / "clinc.json"),
        cwd=data,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout
    assert "6 answer flows from 300 training phrases" in lines
    for heading in ("in-scope accuracy", "asked to clarify", "handed off", "out-of-scope recall", "latency"):
        assert heading in lines
    recall = float(lines.split("out-of-scope recall")[1].split("%")[0])
    accuracy = float(lines.split("in-scope accuracy")[1].split("%")[0])
    assert recall >= 50 and accuracy >= 85


def test_bad_arguments_are_refused_with_a_reason(data: Path) -> None:
    wrong_format = _parlour(
        "ai", "eval", "--format", "snips", "--train", "x", "--test", "y", cwd=data
    )  # fmt: skip
    assert (
        wrong_format.returncode == 2 and "--format must be one of banking77, clinc150" in wrong_format.stderr
    )
    missing = _parlour(
        "ai", "eval", "--format", "banking77", "--train", str(data / "nope.csv"),
        "--test", str(data / "dev.csv"),
        cwd=data,
    )  # fmt: skip
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    swapped = _parlour(
        "ai", "eval", "--format", "banking77", "--train", str(data / "clinc.json"),
        "--test", str(data / "dev.csv"),
        cwd=data,
    )  # fmt: skip
    assert swapped.returncode == 2 and "text,category" in swapped.stderr
    assert "eval" in _parlour("ai", "--help", cwd=data).stdout
