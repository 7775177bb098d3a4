"""The cost meter: what you ran in the sandbox, and what it would cost on AWS.

    from course_lib.meter import Meter
    meter = Meter()                      # starts recording now (the sandbox must be started)
    ...                                  # deploy, invoke, send messages, put objects...
    usage = meter.usage()                # what was measured
    usage                                # a table in Jupyter
    usage.cost()                         # an Estimate: this run, priced on AWS
    usage.projected(users=1_000_000, users_in_run=10)   # the same per user, at 1M users a month

Where each number comes from (chosen to be honest and robust):

* **Lambda** invocations, billed duration, memory and INIT time come from the REPORT lines in
  CloudWatch Logs (``/aws/lambda/<name>``), read with ``filter_log_events``: the same lines AWS
  bills from, written by ``course_lib.runtime``. So invocations that no boto3 call made (an S3
  notification, an SQS event source, a Step Functions task) are counted too. The architecture
  (x86_64/arm64) is read from the function's configuration.
* **API requests** (SQS, SNS, DynamoDB, S3, EventBridge, Kinesis, Firehose, Step Functions,
  Cognito, CloudWatch Logs) are counted as they are made, by wrapping botocore's
  ``BaseClient._make_api_call``: every boto3 client in this Python process passes through it,
  whether the course or the learner created it, before or after the meter (the AWS X-Ray SDK
  instruments boto3 the same way). From each request's parameters and response the meter
  derives billing units: 64 KB chunks for SQS, SNS and EventBridge, DynamoDB read and write
  request units from item sizes and consistency, S3 PUT-class and GET-class requests, Kinesis
  25 KB PUT payload units, Firehose 5 KB-rounded records, Cognito monthly active users.
* **Stored data** (S3 bytes, DynamoDB item bytes, CloudWatch Logs bytes) is read from the
  sandbox's state when you call ``usage()``: storage is billed for what is kept, not for calls.
* **Step Functions** state transitions are counted from the execution histories of executions
  started after the meter.

How it differs from AWS's own metering:

* Requests made outside this Python process (a terminal using server mode, a subprocess-mode
  function's boto3 calls) are not seen; neither are API Gateway requests, which reach the
  runtime without boto3 (the API Gateway wiring reports them with ``record_api_request``).
* DynamoDB item sizes are computed from attribute names and values as AWS documents, which is
  close but not byte-exact; ``UpdateItem`` is counted as one write unit (its new size is not
  known from the request). Failed calls are not counted.
* Local durations are this machine's, not Lambda's: the meter prices what the REPORT lines
  say. ``course_lib.plots.power_tuning`` models how Lambda's CPU would change them.
* Projections scale per-request usage and stored data linearly with users; fixed resources
  (Kinesis shards) run all month whatever the traffic.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

import botocore.client

from course_lib import facts, pricing

# --------------------------------------------------------------------------------------------
# The botocore hook: one wrapper, installed once, feeding every active meter.
# --------------------------------------------------------------------------------------------
_active: list["Meter"] = []
_active_lock = threading.Lock()
_internal = threading.local()
_ORIGINAL = "_course_meter_original"


class _internal_calls:
    """The meter's own reads (logs, state) must not count as the learner's requests."""

    def __enter__(self) -> None:
        _internal.depth = getattr(_internal, "depth", 0) + 1

    def __exit__(self, *exc: object) -> None:
        _internal.depth -= 1


def _install_hook() -> None:
    if hasattr(botocore.client.BaseClient, _ORIGINAL):
        return
    original = botocore.client.BaseClient._make_api_call

    @functools.wraps(original)
    def _make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        response = original(self, operation_name, api_params)
        if _active and not getattr(_internal, "depth", 0):
            service = self.meta.service_model.service_name
            with _active_lock:
                meters = list(_active)
            for meter in meters:
                try:
                    meter._record_call(service, operation_name, api_params, response)
                except Exception:  # metering must never break the learner's call
                    meter._unmetered[f"{service}:{operation_name}"] += 1
        return response

    setattr(botocore.client.BaseClient, _ORIGINAL, original)
    botocore.client.BaseClient._make_api_call = _make_api_call  # type: ignore[method-assign]


def record_api_request(api_type: str = "http", payload_kb: float = 0.0, count: int = 1) -> None:
    """Tell every active meter that API Gateway received ``count`` requests (used by wiring)."""
    with _active_lock:
        meters = list(_active)
    for meter in meters:
        meter._units[f"apigateway.{api_type}_requests"] += count
        meter._payload_max[f"apigateway.{api_type}_payload_kb"] = max(
            meter._payload_max[f"apigateway.{api_type}_payload_kb"], payload_kb
        )


# --------------------------------------------------------------------------------------------
# Sizes, as AWS counts them
# --------------------------------------------------------------------------------------------
def _kb(n_bytes: float) -> float:
    return n_bytes / 1024.0


def _text_bytes(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    return len(json.dumps(value, default=str).encode("utf-8"))


def ddb_value_bytes(value: Mapping[str, Any]) -> int:
    """Size of one DynamoDB attribute value (typed, as the low-level API sends it)."""
    (kind, v), = value.items()
    if kind == "S":
        return len(v.encode("utf-8"))
    if kind == "N":
        # Numbers: about one byte per two significant digits, plus one.
        digits = len(str(v).lstrip("-").replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind == "B":
        return len(v) if isinstance(v, (bytes, bytearray)) else len(base64.b64decode(v))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in v)
    if kind == "NS":
        return sum(ddb_value_bytes({"N": n}) for n in v)
    if kind == "BS":
        return sum(len(b) for b in v)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + ddb_value_bytes(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(ddb_value_bytes(x) + 1 for x in v)
    return _text_bytes(v)


def ddb_item_bytes(item: Mapping[str, Mapping[str, Any]] | None) -> int:
    """Size of a DynamoDB item: attribute name lengths plus value sizes."""
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + ddb_value_bytes(value) for name, value in item.items())


def _chunks(n_bytes: float, chunk_kb: float) -> int:
    return max(1, math.ceil(round(_kb(n_bytes) / chunk_kb, 9)))


# --------------------------------------------------------------------------------------------
# What was measured
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FunctionUsage:
    """One Lambda function's invocations, from its REPORT lines."""

    name: str
    invocations: int
    billed_ms_total: int
    duration_ms_total: float
    memory_mb: int
    architecture: str = "x86_64"
    cold_starts: int = 0
    init_ms_total: float = 0.0
    errors: int = 0

    @property
    def gb_seconds(self) -> float:
        return self.billed_ms_total / 1000.0 * self.memory_mb / 1024.0

    @property
    def mean_billed_ms(self) -> float:
        return self.billed_ms_total / self.invocations if self.invocations else 0.0


@dataclass(frozen=True)
class MeteredUsage:
    """Everything the meter saw between its start and ``Meter.usage()``."""

    seconds: float
    functions: tuple[FunctionUsage, ...]
    api_calls: Mapping[str, int]
    units: Mapping[str, float]
    storage_gb: Mapping[str, float]
    kinesis_streams: tuple[Mapping[str, Any], ...] = ()
    unmetered: Mapping[str, int] = field(default_factory=dict)

    # -- what to price ------------------------------------------------------------------
    def components(self, scale: float = 1.0, fixed_hours: float | None = None) -> list[dict[str, Any]]:
        """The usage as ``pricing.monthly_estimate`` components.

        ``scale`` multiplies per-request usage and stored data; fixed resources (Kinesis
        shards) are billed for ``fixed_hours`` (default: the measured wall time).
        """
        scale = pricing._count("scale", scale)
        hours = self.seconds / 3600.0 if fixed_hours is None else pricing._count("fixed_hours", fixed_hours)
        u, g = self.units, self.storage_gb
        out: list[dict[str, Any]] = []
        for f in self.functions:
            out.append({
                "service": "lambda", "name": f"Lambda: {f.name}", "requests": f.invocations * scale,
                "duration_ms": f.mean_billed_ms, "billed_ms_total": f.billed_ms_total * scale,
                "memory_mb": f.memory_mb, "architecture": f.architecture,
            })
        for kind in ("http", "rest"):
            if u.get(f"apigateway.{kind}_requests"):
                out.append({"service": "apigateway", "name": f"API Gateway ({kind.upper()})",
                            "requests": u[f"apigateway.{kind}_requests"] * scale, "api_type": kind})
        for kind in ("standard", "fifo"):
            if u.get(f"sqs.{kind}_requests"):
                # Chunks were counted per request already: price them as 64 KB-or-less requests.
                out.append({"service": "sqs", "name": f"SQS ({kind})", "queue_type": kind,
                            "requests": u[f"sqs.{kind}_requests"] * scale})
        if u.get("sns.publishes"):
            out.append({"service": "sns", "name": "SNS", "publishes": u["sns.publishes"] * scale,
                        "http_deliveries": u.get("sns.http_deliveries", 0) * scale,
                        "email_deliveries": u.get("sns.email_deliveries", 0) * scale,
                        "sqs_deliveries": u.get("sns.sqs_deliveries", 0) * scale,
                        "lambda_deliveries": u.get("sns.lambda_deliveries", 0) * scale})
        if u.get("dynamodb.wru") or u.get("dynamodb.rru") or g.get("dynamodb"):
            # Request units are already computed; price them as 1 KB writes and 4 KB strong reads.
            out.append({"service": "dynamodb", "name": "DynamoDB (on-demand)",
                        "writes": u.get("dynamodb.wru", 0) * scale, "reads": u.get("dynamodb.rru", 0) * scale,
                        "item_kb": 1.0, "read_consistency": "strong", "storage_gb": g.get("dynamodb", 0) * scale})
        if u.get("s3.put_requests") or u.get("s3.get_requests") or g.get("s3"):
            out.append({"service": "s3", "name": "S3 Standard", "storage_gb": g.get("s3", 0) * scale,
                        "put_requests": u.get("s3.put_requests", 0) * scale,
                        "get_requests": u.get("s3.get_requests", 0) * scale})
        if u.get("eventbridge.events"):
            out.append({"service": "eventbridge", "name": "EventBridge",
                        "custom_events": u["eventbridge.events"] * scale})
        if u.get("stepfunctions.standard_transitions"):
            out.append({"service": "stepfunctions", "name": "Step Functions (Standard)", "workflow": "standard",
                        "executions": u.get("stepfunctions.standard_executions", 0) * scale,
                        "transitions_per_execution": u["stepfunctions.standard_transitions"]
                        / max(1.0, u.get("stepfunctions.standard_executions", 0))})
        for stream in self.kinesis_streams:
            out.append({"service": "kinesis", "name": f"Kinesis: {stream['name']}", "mode": stream["mode"],
                        "shards": stream["shards"], "hours": hours,
                        "records": stream["payload_units"] * scale if stream["mode"] == "provisioned" else stream["records"] * scale,
                        "record_kb": 1.0 if stream["mode"] == "provisioned" else stream["mean_record_kb"]})
        if u.get("firehose.records"):
            out.append({"service": "firehose", "name": "Data Firehose", "records": u["firehose.billed_kb"] / 5 * scale,
                        "record_kb": facts.value("firehose.units.record_rounding_kb")})
        if u.get("cognito.mau"):
            out.append({"service": "cognito", "name": "Cognito (Essentials)", "mau": u["cognito.mau"] * scale})
        if g.get("logs_lambda") or g.get("logs_custom"):
            out.append({"service": "cloudwatch_logs", "name": "CloudWatch Logs (Lambda)", "source": "lambda",
                        "ingested_gb": g.get("logs_lambda", 0) * scale, "stored_gb": g.get("logs_lambda", 0) * scale})
            if g.get("logs_custom"):
                out.append({"service": "cloudwatch_logs", "name": "CloudWatch Logs (other)", "source": "custom",
                            "ingested_gb": g["logs_custom"] * scale, "stored_gb": g["logs_custom"] * scale})
        return out

    def cost(self, free_tier: pricing.FreeTier = False) -> pricing.Estimate:
        """What this run would have cost on AWS (no free tier unless asked: it shows the price)."""
        comps = self.components()
        if not comps:
            raise pricing.PricingInputError("The meter saw no billable usage yet.")
        return pricing.monthly_estimate(comps, free_tier=free_tier, title="This run, priced on AWS")

    def at_scale(self, factor: float, free_tier: pricing.FreeTier = True, title: str = "") -> pricing.Estimate:
        """A month of ``factor`` times this run, fixed resources running all month."""
        comps = self.components(scale=factor, fixed_hours=facts.value("billing.hours_per_month"))
        if not comps:
            raise pricing.PricingInputError("The meter saw no billable usage yet.")
        return pricing.monthly_estimate(comps, free_tier=free_tier, title=title or f"This run x {factor:,.0f}, for a month")

    def projected(self, users: int, users_in_run: int = 1, free_tier: pricing.FreeTier = True) -> pricing.Estimate:
        """A month at ``users`` users, if this run served ``users_in_run`` of them."""
        pricing._count("users", users)
        if pricing._count("users_in_run", users_in_run) == 0:
            raise pricing.PricingInputError("users_in_run must be at least 1 (how many users did this run serve?).")
        return self.at_scale(users / users_in_run, free_tier=free_tier,
                             title=f"{users:,} users a month ({users_in_run:,} in the measured run)")

    # -- display ------------------------------------------------------------------------
    def summary_rows(self) -> list[tuple[str, str]]:
        rows = []
        for f in self.functions:
            rows.append((f"Lambda {f.name}", f"{f.invocations:,} invocation{'s' if f.invocations != 1 else ''}, {f.billed_ms_total:,} ms billed at "
                         f"{f.memory_mb} MB ({f.architecture}), {f.cold_starts} cold"))
        for key in sorted(self.units):
            rows.append((key, f"{self.units[key]:,.6g}"))
        for key in sorted(self.storage_gb):
            rows.append((f"{key} stored", f"{self.storage_gb[key] * 1024 ** 2:,.1f} KB"))
        return rows

    def _repr_markdown_(self) -> str:
        # No wall-clock time here: the table should read the same when a notebook is re-run.
        out = ["**Metered usage**", "", "| what | measured |", "|---|---|"]
        out += [f"| {a} | {b} |" for a, b in self.summary_rows()]
        return "\n".join(out)


class Meter:
    """Records the sandbox usage from now on. Use as a context manager or call ``stop()``."""

    def __init__(self, sandbox: Any = None) -> None:
        from course_lib import sandbox as sandbox_module

        self.sandbox = sandbox or sandbox_module.current()
        if not self.sandbox.running:
            self.sandbox.start()
        _install_hook()
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self.reset()
        with _active_lock:
            if self not in _active:
                _active.append(self)

    # -- lifecycle ----------------------------------------------------------------------
    def reset(self) -> None:
        """Forget what was recorded; measure from now."""
        # Log timestamps are whole milliseconds: start one early so nothing at the edge is lost.
        self.started = time.time()
        self.stopped: float | None = None
        self._calls: Counter[str] = Counter()
        self._units: Counter[str] = Counter()
        self._payload_max: Counter[str] = Counter()
        self._unmetered: Counter[str] = Counter()
        self._cognito_users: set[tuple[str, str]] = set()
        self._kinesis: dict[str, Counter[str]] = {}
        self._executions: list[str] = []

    def stop(self) -> None:
        with _active_lock:
            if self in _active:
                _active.remove(self)
        self.stopped = self.stopped or time.time()

    def __enter__(self) -> "Meter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _client(self, service: str) -> Any:
        # Creating a botocore client costs milliseconds: the meter keeps one per service.
        if service not in self._clients:
            self._clients[service] = self.sandbox.client(service)
        return self._clients[service]

    # -- recording ----------------------------------------------------------------------
    def _record_call(self, service: str, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        with self._lock:
            self._calls[f"{service}:{op}"] += 1
            handler = getattr(self, f"_on_{service.replace('-', '_')}", None)
            if handler is not None:
                handler(op, params, response)

    def _on_sqs(self, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        chunk = facts.value("sqs.units.billing_chunk_kb")
        url = str(params.get("QueueUrl") or params.get("QueueName") or "")
        kind = "fifo" if url.endswith(".fifo") else "standard"
        if op == "SendMessage":
            size = _text_bytes(params.get("MessageBody")) + _text_bytes(params.get("MessageAttributes"))
        elif op == "SendMessageBatch":
            size = sum(_text_bytes(e.get("MessageBody")) + _text_bytes(e.get("MessageAttributes"))
                       for e in params.get("Entries", []))
        elif op == "ReceiveMessage":
            size = sum(_text_bytes(m.get("Body")) for m in response.get("Messages", []))
        else:
            size = 0
        # Every SQS action is a billed request; each 64 KB chunk of payload is one more.
        self._units[f"sqs.{kind}_requests"] += _chunks(size, chunk)

    def _on_sns(self, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        if op not in ("Publish", "PublishBatch"):
            return
        chunk = facts.value("sns.units.billing_chunk_kb")
        if op == "Publish":
            messages = [params]
        else:
            messages = list(params.get("PublishBatchRequestEntries", []))
        size = sum(_text_bytes(m.get("Message")) + _text_bytes(m.get("MessageAttributes")) for m in messages)
        self._units["sns.publishes"] += _chunks(size, chunk)
        topic = params.get("TopicArn")
        if topic:
            for protocol, count in self._sns_subscriptions(topic).items():
                self._units[f"sns.{protocol}_deliveries"] += count * len(messages)

    def _sns_subscriptions(self, topic_arn: str) -> Counter[str]:
        protocols: Counter[str] = Counter()
        client = self._client("sns")
        with _internal_calls():
            pages = client.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
            for page in pages:
                for sub in page.get("Subscriptions", []):
                    proto = sub.get("Protocol", "")
                    protocols[{"https": "http"}.get(proto, proto)] += 1
        return protocols

    def _on_dynamodb(self, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        def wru(item: Mapping[str, Any] | None, factor: float = 1.0) -> float:
            return factor * pricing.dynamodb_request_units(_kb(ddb_item_bytes(item)), "write")

        def rru(n_bytes: int, consistent: bool, factor: float = 1.0) -> float:
            kind = "strong_read" if consistent else "eventual_read"
            return factor * pricing.dynamodb_request_units(_kb(n_bytes), kind)

        consistent = bool(params.get("ConsistentRead"))
        if op == "PutItem":
            self._units["dynamodb.wru"] += wru(params.get("Item"))
        elif op in ("UpdateItem", "DeleteItem"):
            self._units["dynamodb.wru"] += 1
        elif op == "BatchWriteItem":
            for requests in params.get("RequestItems", {}).values():
                for r in requests:
                    self._units["dynamodb.wru"] += wru(r["PutRequest"]["Item"]) if "PutRequest" in r else 1
        elif op == "TransactWriteItems":
            for r in params.get("TransactItems", []):
                self._units["dynamodb.wru"] += wru(r["Put"]["Item"], 2) if "Put" in r else 2
        elif op == "GetItem":
            self._units["dynamodb.rru"] += rru(ddb_item_bytes(response.get("Item")), consistent)
        elif op == "BatchGetItem":
            for items in response.get("Responses", {}).values():
                for item in items:
                    self._units["dynamodb.rru"] += rru(ddb_item_bytes(item), consistent)
        elif op in ("Query", "Scan"):
            # Query and Scan sum the items read, then round up to 4 KB once per request.
            self._units["dynamodb.rru"] += rru(sum(ddb_item_bytes(i) for i in response.get("Items", [])), consistent)
        elif op == "TransactGetItems":
            for r in response.get("Responses", []):
                self._units["dynamodb.rru"] += rru(ddb_item_bytes(r.get("Item")), True, 2)

    def _on_s3(self, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        if op.startswith("Delete"):
            return  # DELETE and CANCEL requests are free
        put_class = ("Put", "Copy", "Create", "Complete", "Upload", "List", "Post", "Restore")
        self._units["s3.put_requests" if op.startswith(put_class) else "s3.get_requests"] += 1

    def _on_events(self, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        if op == "PutEvents":
            chunk = facts.value("eventbridge.units.billing_chunk_kb")
            for entry in params.get("Entries", []):
                self._units["eventbridge.events"] += _chunks(_text_bytes(entry), chunk)

    def _on_kinesis(self, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        if op == "PutRecord":
            records = [params]
        elif op == "PutRecords":
            records = list(params.get("Records", []))
        else:
            return
        name = params.get("StreamName") or str(params.get("StreamARN", "")).rsplit("/", 1)[-1]
        stats = self._kinesis.setdefault(name, Counter())
        unit_kb = facts.value("kinesis.units.put_payload_unit_kb")
        for r in records:
            size = _text_bytes(r.get("Data")) + _text_bytes(r.get("PartitionKey"))
            stats["records"] += 1
            stats["bytes"] += size
            stats["payload_units"] += _chunks(size, unit_kb)

    def _on_firehose(self, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        records = [params.get("Record", {})] if op == "PutRecord" else list(params.get("Records", [])) if op == "PutRecordBatch" else []
        step = facts.value("firehose.units.record_rounding_kb")
        for r in records:
            self._units["firehose.records"] += 1
            self._units["firehose.billed_kb"] += _chunks(_text_bytes(r.get("Data")), step) * step

    def _on_stepfunctions(self, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        if op == "StartExecution" and response.get("executionArn"):
            self._executions.append(response["executionArn"])

    def _on_cognito_idp(self, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        # A monthly active user is anyone with an identity operation in the month.
        pool = str(params.get("UserPoolId") or params.get("ClientId") or "")
        user = params.get("Username") or (params.get("AuthParameters") or {}).get("USERNAME")
        if user:
            self._cognito_users.add((pool, str(user)))
            self._units["cognito.mau"] = len(self._cognito_users)

    def _on_logs(self, op: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        if op == "PutLogEvents" and not str(params.get("logGroupName", "")).startswith("/aws/lambda/"):
            self._units["logs.custom_bytes"] += sum(_text_bytes(e.get("message")) + 26 for e in params.get("logEvents", []))

    # -- reading state ------------------------------------------------------------------
    def _lambda_usage(self) -> tuple[list[FunctionUsage], float]:
        """REPORT lines and log bytes in /aws/lambda/* since the meter started."""
        from course_lib.runtime import parse_report

        logs = self._client("logs")
        lam = self._client("lambda")
        start_ms = int(self.started * 1000) - 1
        end_ms = int((self.stopped or time.time()) * 1000) + 1
        functions, log_bytes = [], 0
        groups = [g["logGroupName"] for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix="/aws/lambda/")
                  for g in page.get("logGroups", [])]
        for group in sorted(groups):
            name = group[len("/aws/lambda/"):]
            reports = []
            for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group, startTime=start_ms, endTime=end_ms):
                for event in page.get("events", []):
                    # AWS bills ingestion per byte of message plus 26 bytes of event overhead.
                    log_bytes += len(event["message"].encode("utf-8")) + 26
                    report = parse_report(event["message"])
                    if report:
                        reports.append(report)
            if not reports:
                continue
            try:
                config = lam.get_function_configuration(FunctionName=name)
                arch = (config.get("Architectures") or ["x86_64"])[0]
            except lam.exceptions.ResourceNotFoundException:
                arch = "x86_64"  # deleted since: its REPORT lines still count
            functions.append(FunctionUsage(
                name=name,
                invocations=len(reports),
                billed_ms_total=sum(r.billed_ms for r in reports),
                duration_ms_total=sum(r.duration_ms for r in reports),
                memory_mb=max(r.memory_mb for r in reports),
                architecture=arch,
                cold_starts=sum(1 for r in reports if r.init_ms is not None),
                init_ms_total=sum(r.init_ms or 0.0 for r in reports),
                errors=sum(1 for r in reports if r.status),
            ))
        return functions, log_bytes / 1024 ** 3

    def _s3_gb(self) -> float:
        s3 = self._client("s3")
        total = 0
        for bucket in s3.list_buckets().get("Buckets", []):
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
                total += sum(o["Size"] for o in page.get("Contents", []))
        return total / 1024 ** 3

    def _dynamodb_gb(self) -> float:
        ddb = self._client("dynamodb")
        total = 0
        for page in ddb.get_paginator("list_tables").paginate():
            for table in page.get("TableNames", []):
                for scan in ddb.get_paginator("scan").paginate(TableName=table):
                    # AWS adds 100 bytes of overhead per item for indexing.
                    total += sum(ddb_item_bytes(i) + 100 for i in scan.get("Items", []))
        return total / 1024 ** 3

    def _stepfunctions_transitions(self) -> tuple[int, int]:
        sfn = self._client("stepfunctions")
        executions = transitions = 0
        for arn in self._executions:
            try:
                history = sfn.get_execution_history(executionArn=arn, maxResults=1000)
            except Exception:
                continue
            executions += 1
            transitions += sum(1 for e in history.get("events", []) if e["type"].endswith("StateEntered"))
        return executions, transitions

    def _kinesis_streams(self) -> list[dict[str, Any]]:
        kinesis = self._client("kinesis")
        out = []
        for name in kinesis.list_streams().get("StreamNames", []):
            summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            mode = (summary.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
            stats = self._kinesis.get(name, Counter())
            out.append({
                "name": name,
                "mode": "on_demand" if mode == "ON_DEMAND" else "provisioned",
                "shards": summary.get("OpenShardCount", 1),
                "records": stats["records"],
                "payload_units": stats["payload_units"],
                "mean_record_kb": _kb(stats["bytes"] / stats["records"]) if stats["records"] else 1.0,
            })
        return out

    def usage(self) -> MeteredUsage:
        """Read the sandbox (REPORT lines, stored data) and combine it with the counted calls."""
        with _internal_calls():
            functions, lambda_log_gb = self._lambda_usage()
            storage = {"s3": self._s3_gb(), "dynamodb": self._dynamodb_gb(), "logs_lambda": lambda_log_gb}
            executions, transitions = self._stepfunctions_transitions()
            streams = self._kinesis_streams()
        with self._lock:
            units = dict(self._units)
            calls = dict(self._calls)
            unmetered = dict(self._unmetered)
        if units.get("logs.custom_bytes"):
            storage["logs_custom"] = units.pop("logs.custom_bytes") / 1024 ** 3
        if executions:
            units["stepfunctions.standard_executions"] = executions
            units["stepfunctions.standard_transitions"] = transitions
        seconds = (self.stopped or time.time()) - self.started
        return MeteredUsage(
            seconds=seconds,
            functions=tuple(functions),
            api_calls=calls,
            units={k: v for k, v in units.items() if v},
            storage_gb={k: v for k, v in storage.items() if v},
            kinesis_streams=tuple(streams),
            unmetered=unmetered,
        )


def active_meters() -> Iterator[Meter]:
    with _active_lock:
        return iter(list(_active))
