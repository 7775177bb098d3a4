"""SQL over what a stream delivered to S3, run locally with sqlite3 (where Athena would run it).

    lake = stream_query.Lake()
    lake.load_json_lines("clicks-lake", prefix="clicks/", table="clicks")   # every object, every line
    lake.sql("SELECT section, COUNT(*) AS views FROM clicks GROUP BY section ORDER BY views DESC")

What it emulates: Amazon Athena reading newline-delimited JSON objects under an S3 prefix as one
table (``CREATE EXTERNAL TABLE ... ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
LOCATION 's3://bucket/prefix/'``) and running SQL over it. The objects are read from the
sandbox's S3 with boto3, one row per JSON line, one column per top-level key (nested values
stay JSON text, which SQLite's ``json_extract`` reads). Each result says how many objects and
bytes the query read: Athena bills by the bytes it scans.

Differs from AWS: moto's Athena accepts ``start_query_execution`` and answers SUCCEEDED with no
rows, because it runs no SQL; this runs the query with Python's ``sqlite3`` in memory instead.
SQLite's dialect is not Athena's (Trino): most of ``SELECT``/``WHERE``/``GROUP BY``/``ORDER
BY``/joins is the same, but functions differ (dates, approximate counts, arrays), columns have
no declared types, and there are no partitions or columnar formats to prune the scan.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TableSource:
    """Where a table's rows came from."""

    table: str
    bucket: str
    prefix: str
    objects: int = 0
    bytes: int = 0
    rows: int = 0
    bad_lines: int = 0
    columns: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        bad = f", {self.bad_lines} line(s) that were not JSON objects skipped" if self.bad_lines else ""
        return (f"<table {self.table}: {self.rows:,} rows from {self.objects} object(s), {self.bytes:,} bytes "
                f"under s3://{self.bucket}/{self.prefix}; columns {', '.join(self.columns)}{bad}>")


@dataclass(frozen=True)
class QueryResult:
    """Rows of a query, and what it read."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    bytes_scanned: int

    def __repr__(self) -> str:
        widths = [max(len(str(c)), *(len(_cell(r[i])) for r in self.rows)) if self.rows else len(str(c))
                  for i, c in enumerate(self.columns)]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(self.columns, widths))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(_cell(v).ljust(w) for v, w in zip(row, widths)) for row in self.rows]
        lines.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''}; the tables hold {self.bytes_scanned:,} bytes of S3 data)")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        head = "| " + " | ".join(self.columns) + " |"
        rule = "|" + "|".join("---" for _ in self.columns) + "|"
        body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in self.rows]
        note = f"\n\n_{len(self.rows)} row(s); the query read {self.bytes_scanned:,} bytes of S3 objects._"
        return "\n".join([head, rule, *body]) + note

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return "NULL" if value is None else str(value)


class Lake:
    """An in-memory SQLite database whose tables are loaded from S3 objects."""

    def __init__(self, sandbox: Any = None) -> None:
        if sandbox is None:
            from course_lib import sandbox as sandbox_module

            sandbox = sandbox_module.current()
        self._s3 = sandbox.client("s3")
        self.db = sqlite3.connect(":memory:")
        self.sources: dict[str, TableSource] = {}

    def load_json_lines(self, bucket: str, prefix: str = "", table: str = "events") -> TableSource:
        """(Re)create ``table`` from every newline-delimited JSON object under ``s3://bucket/prefix``."""
        source = TableSource(table, bucket, prefix)
        rows: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        while True:
            page = self._s3.list_objects_v2(**kwargs)
            for item in page.get("Contents", []):
                body = self._s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                source.objects += 1
                source.bytes += len(body)
                for line in body.decode("utf-8").splitlines():
                    if not line.strip():
                        continue
                    try:
                        row = json.loads(line)
                    except ValueError:
                        source.bad_lines += 1
                        continue
                    if not isinstance(row, dict):
                        source.bad_lines += 1
                        continue
                    rows.append(row)
            if not page.get("IsTruncated"):
                break
            kwargs["ContinuationToken"] = page["NextContinuationToken"]
        for row in rows:
            for key in row:
                if key not in source.columns:
                    source.columns.append(key)
        quoted = ", ".join(f'"{c}"' for c in source.columns) or '"empty"'
        self.db.execute(f'DROP TABLE IF EXISTS "{table}"')
        self.db.execute(f'CREATE TABLE "{table}" ({quoted})')
        if source.columns:
            marks = ", ".join("?" for _ in source.columns)
            self.db.executemany(
                f'INSERT INTO "{table}" VALUES ({marks})',
                [tuple(_value(row.get(c)) for c in source.columns) for row in rows],
            )
        source.rows = len(rows)
        self.sources[table] = source
        return source

    def sql(self, query: str) -> QueryResult:
        """Run a query; the result notes the bytes of every table loaded (what Athena would scan)."""
        cursor = self.db.execute(query)
        columns = tuple(d[0] for d in cursor.description or ())
        rows = tuple(tuple(r) for r in cursor.fetchall())
        used = [s for name, s in self.sources.items() if name.lower() in query.lower()]
        return QueryResult(columns, rows, sum(s.bytes for s in used))


def _value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return int(value)
    return value
