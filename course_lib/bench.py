"""``make bench``: how fast the course is, measured in one run (never asserted in a test).

Prints one row per measurement: the name, the measured value, and the target where there is
one. Sections:

* the local Lambda runtime: median boto3 ``invoke`` latency, and its ratio to a plain moto
  ``dynamodb.put_item`` (target: at most 1.5);
* every notebook, top to bottom in a fresh kernel (target: under 10 s each);
* the benchmarks other parts of the course register (``course_lib.<part>.bench.bench()``).

    python -m course_lib.bench              # everything
    python -m course_lib.bench --quick      # skip the notebooks
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

Row = tuple[str, float, str]

# Parts of the course that contribute rows: module path -> function returning rows.
PLUGINS = ("course_lib.quiz.bench", "course_lib.wiring.bench", "course_lib.pricing_bench", "course_lib.instructor.bench")


def median_ms(call: Callable[[], object], repeat: int = 400, warmup: int = 30) -> float:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def runtime_rows() -> list[Row]:
    from course_lib.runtime import deploy_function, quiet
    from course_lib.sandbox import start

    aws = start()
    aws.reset()
    deploy_function("bench-echo", "def handler(event, context):\n    return event\n")
    aws.ensure_table("bench")
    lam, ddb = aws.client("lambda"), aws.client("dynamodb")
    payload = json.dumps({"hello": "world"}).encode()
    with quiet():
        invoke_ms = median_ms(lambda: lam.invoke(FunctionName="bench-echo", Payload=payload))
    put_ms = median_ms(lambda: ddb.put_item(TableName="bench", Item={"pk": {"S": "k"}, "v": {"N": "1"}}))
    aws.reset()
    ratio = invoke_ms / put_ms
    return [
        ("lambda.invoke median (ms)", invoke_ms, ""),
        ("dynamodb.put_item median (ms)", put_ms, ""),
        ("invoke / put_item ratio", ratio, "target <= 1.5" + ("" if ratio <= 1.5 else "  MISSED")),
    ]


def notebook_rows(folder: Path) -> list[Row]:
    from course_lib.notebook_tools import execute_copy

    rows = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        seconds = execute_copy(path)
        rows.append((f"notebook {path.name} (s)", seconds, "target < 10" + ("" if seconds < 10 else "  MISSED")))
    return rows


def plugin_rows() -> list[Row]:
    rows: list[Row] = []
    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        rows.extend(module.bench())
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.bench")
    parser.add_argument("--quick", action="store_true", help="skip executing the notebooks")
    args = parser.parse_args(argv)
    rows = runtime_rows() + plugin_rows()
    if not args.quick:
        rows += notebook_rows(Path(__file__).resolve().parent.parent / "notebooks")
    width = max(len(name) for name, _, _ in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:10.3f}  {note}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
