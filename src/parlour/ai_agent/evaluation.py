"""Scores the AI agent's answer-flow decisions on labelled question sets (BANKING77, CLINC150).

Every test question goes through `IntentModel.decide`, the same call the live AI agent makes, so
the figures describe what customers would get: a question is answered right only when the
decision picks its flow without asking to clarify.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from parlour.ai_agent import nlu

Format = Literal["banking77", "clinc150"]
FORMATS: tuple[Format, ...] = ("banking77", "clinc150")
Progress = Callable[[int, int], None]


class DatasetError(ValueError):
    """A dataset file is missing, unreadable or not in the announced format."""


@dataclass(frozen=True)
class Dataset:
    in_scope: list[tuple[str, str]]
    out_of_scope: list[str]


def load(path: Path, format: Format, *, split: Literal["train", "test"]) -> Dataset:
    """Read one side of an evaluation set (clinc150: `train`+`oos_train` or `val`+`oos_val`)."""
    try:
        if format == "banking77":
            return Dataset(_read_banking77(path), [])
        return _read_clinc150(path, split)
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path} is not a {format} file: {exc}") from None


def _read_banking77(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"text", "category"} <= set(reader.fieldnames):
            raise DatasetError(f"{path} is not a banking77 file: it needs the columns text,category")
        rows = [(row["text"].strip(), row["category"].strip()) for row in reader]
    rows = [(text, label) for text, label in rows if text and label]
    if not rows:
        raise DatasetError(f"{path} has no examples")
    return rows


def _read_clinc150(path: Path, split: Literal["train", "test"]) -> Dataset:
    document = json.loads(path.read_text(encoding="utf-8"))
    in_key, oos_key = ("train", "oos_train") if split == "train" else ("val", "oos_val")
    if not isinstance(document, dict) or not isinstance(document.get(in_key), list):
        raise DatasetError(f"{path} is not a clinc150 file: it has no {in_key!r} list")

    def pairs(key: str) -> list[tuple[str, str]]:
        found = document.get(key, [])
        if not isinstance(found, list) or not all(
            isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item)
            for item in found
        ):
            raise DatasetError(f"{path} is not a clinc150 file: {key!r} must be a list of [text, intent]")
        return [(text, label) for text, label in found]

    in_scope = pairs(in_key)
    if not in_scope:
        raise DatasetError(f"{path} has no examples in {in_key!r}")
    return Dataset(in_scope, [text for text, _ in pairs(oos_key)])


def choose_shots(examples: Sequence[tuple[str, str]], shots: int, seed: int) -> list[tuple[str, str]]:
    """`shots` examples per label, the same ones for the same seed (what an admin would type in)."""
    by_label: dict[str, list[tuple[str, str]]] = {}
    for example in examples:
        by_label.setdefault(example[1], []).append(example)
    rng = random.Random(seed)  # noqa: S311 - reproducible sampling, not security
    chosen: list[tuple[str, str]] = []
    for label in sorted(by_label):
        group = by_label[label]
        chosen.extend(rng.sample(group, min(shots, len(group))))
    return chosen


def flow_names(examples: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The name an admin would give each label's answer flow: its words ("card_arrival" is "card
    arrival"). The live agent trains on its flows' names too (`knowledge.build_flow_book`), but
    the datasets' protocol gives a flow only its examples, so `evaluate` uses these only when
    asked (`--flow-names`): published figures to compare with are measured without them."""
    return {label: label.replace("_", " ") for _, label in examples}


@dataclass(frozen=True)
class Report:
    format: str
    train_examples: int
    labels: int
    shots: int | None
    seed: int
    flow_names: bool
    in_scope_questions: int
    out_of_scope_questions: int
    in_scope_accuracy: float
    clarify_rate: float
    handoff_rate: float
    out_of_scope_recall: float | None
    train_seconds: float
    train_cpu_seconds: float
    latency_median_ms: float
    latency_p99_ms: float
    cpu_median_ms: float
    cpu_count: int
    load_average: float
    machine: str
    model: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def as_text(self) -> str:
        shots = f"{self.shots}-shot" if self.shots else "all examples"
        names = ", + flow names" if self.flow_names else ""
        lines = [
            f"{self.format}: {self.labels} answer flows from {self.train_examples} training phrases ({shots},"
            f" seed {self.seed}{names}), trained in {self.train_seconds:.2f} s"
            f" ({self.train_cpu_seconds:.2f} s of CPU)",
            f"in-scope accuracy     {_percent(self.in_scope_accuracy)}"
            f"  ({self.in_scope_questions} questions)",
            f"  asked to clarify    {_percent(self.clarify_rate)}",
            f"  handed off          {_percent(self.handoff_rate)}",
        ]
        if self.out_of_scope_recall is not None:
            lines.append(
                f"out-of-scope recall   {_percent(self.out_of_scope_recall)}"
                f"  ({self.out_of_scope_questions} questions handed off or not)"
            )
        lines += [
            f"latency per question  median {self.latency_median_ms:.2f} ms, p99 {self.latency_p99_ms:.2f} ms"
            f" (CPU time median {self.cpu_median_ms:.2f} ms)",
            f"machine               {self.cpu_count} CPUs, {self.machine},"
            f" load average {self.load_average:.1f}",
            f"model                 {self.model}",
        ]
        return "\n".join(lines)


def _percent(value: float) -> str:
    return f"{value * 100:6.2f} %"


def evaluate(
    format: Format,
    train: Dataset,
    test: Dataset,
    *,
    shots: int | None = None,
    seed: int = 0,
    with_flow_names: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Train answer flows on `train`, answer every `test` question with `decide`, and score the decisions."""
    examples = choose_shots(train.in_scope, shots, seed) if shots else list(train.in_scope)
    started, started_cpu = time.perf_counter(), time.process_time()
    names = flow_names(examples) if with_flow_names else None
    model = nlu.IntentModel.train(examples, out_of_scope=train.out_of_scope, names=names)
    train_seconds, train_cpu = time.perf_counter() - started, time.process_time() - started_cpu

    questions = [*test.in_scope, *((text, None) for text in test.out_of_scope)]
    # Wall-clock time is what a customer waits; CPU time shows how much of it other work on a
    # shared machine took.
    latencies: list[float] = []
    cpu_times: list[float] = []
    correct = clarified = handed_off = oos_handed_off = 0
    for done, (text, label) in enumerate(questions, start=1):
        started, started_cpu = time.perf_counter(), time.process_time()
        decision = model.decide(text)
        latencies.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - started_cpu)
        if label is None:
            oos_handed_off += decision.best is None
        elif decision.best is None:
            handed_off += 1
        elif decision.ambiguous:
            clarified += 1
        else:
            correct += decision.best.label == label
        if progress is not None:
            progress(done, len(questions))

    in_scope = len(test.in_scope)
    latencies.sort()
    return Report(
        format=format,
        train_examples=len(examples),
        labels=len(model.labels),
        shots=shots,
        seed=seed,
        flow_names=with_flow_names,
        in_scope_questions=in_scope,
        out_of_scope_questions=len(test.out_of_scope),
        in_scope_accuracy=correct / in_scope if in_scope else 0.0,
        clarify_rate=clarified / in_scope if in_scope else 0.0,
        handoff_rate=handed_off / in_scope if in_scope else 0.0,
        out_of_scope_recall=oos_handed_off / len(test.out_of_scope) if test.out_of_scope else None,
        train_seconds=train_seconds,
        train_cpu_seconds=train_cpu,
        latency_median_ms=statistics.median(latencies) * 1000 if latencies else 0.0,
        latency_p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        if latencies
        else 0.0,
        cpu_median_ms=statistics.median(cpu_times) * 1000 if cpu_times else 0.0,
        cpu_count=len(os.sched_getaffinity(0)),
        load_average=os.getloadavg()[0],
        machine=f"{platform.machine()} {platform.system()}, Python {platform.python_version()}",
        model=nlu.describe(),
    )
