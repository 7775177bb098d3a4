"""Three serverless architecture patterns, built end to end in the sandbox, and what they cost.

    from course_lib import patterns
    api = patterns.build_rest_api()                 # API Gateway -> Lambda -> DynamoDB
    api.call("POST", "/orders", {"customer": "ada", "item": "teapot", "quantity": 1})
    files = patterns.build_file_processing()        # S3 -> Lambda -> DynamoDB -> SNS -> SQS
    files.upload("2026-03-02.csv", "payment_id,customer,amount,currency\\n...")
    files.notifications()                           # the summaries SNS delivered to the queue
    clicks = patterns.build_streaming()             # Kinesis -> Lambda -> S3 -> SQL
    clicks.send(patterns.sample_clicks(400)); clicks.close_windows()
    clicks.query("SELECT page, SUM(clicks) FROM windows GROUP BY page")
    patterns.pattern_costs()                        # each pattern at three traffic levels

Every builder uses the ordinary boto3 calls a learner would write (or SAM would make), the
course's wirings for what moto does not run (API Gateway proxy integrations, faithful S3
notifications, SNS -> SQS, Kinesis batches per shard with a batching window on the course
clock), and real handler code kept in ``course_lib/patterns/handlers/``: the notebook shows the
same file the tests deploy. Each builder can run twice: it finds what exists and updates code and
configuration instead of failing. Each function gets its own least-privilege role, so the
inventory (``course_lib.inventory``) draws what each may access.

Where the emulation differs from AWS: the API answers in-process (``requests`` only, or the
front door on 127.0.0.1); S3 and SNS deliver before the triggering call returns (on AWS a moment
later); the Kinesis mapping reads shards one after another and delivers a batch when the course
clock passes its batching window (AWS polls each shard about once a second, concurrently); the
roles' policies are stored, not enforced (chapter 12 shows enforcement); SQL runs in SQLite
where AWS would run Athena (``course_lib.stream_query``).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from course_lib import pricing
from course_lib import webhooks as _webhooks  # noqa: F401 - skips a slow grammar build in moto's API Gateway import

HANDLERS = Path(__file__).resolve().parent / "handlers"
PATTERNS = ("REST API", "File processing", "Streaming analytics")


def handler_path(name: str) -> Path:
    """The handler file of a pattern function: ``orders_api``, ``payments_csv`` or ``click_windows``."""
    path = HANDLERS / f"{name}.py"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in HANDLERS.glob("*.py")))
        raise ValueError(f"No handler {name!r}; the patterns' handlers are: {known}.")
    return path


def handler_source(name: str) -> str:
    return handler_path(name).read_text(encoding="utf-8")


class Code:
    """Source code that Jupyter renders highlighted (the notebook shows what is deployed)."""

    def __init__(self, text: str, language: str = "python") -> None:
        self.text, self.language = text, language

    def _repr_markdown_(self) -> str:
        return f"```{self.language}\n{self.text.rstrip()}\n```"

    def __repr__(self) -> str:
        return self.text


def show_handler(name: str) -> Code:
    return Code(handler_source(name))


# ----------------------------------------------------------------------------------------------
# Shared pieces
# ----------------------------------------------------------------------------------------------
def _sandbox() -> Any:
    from course_lib import sandbox

    box = sandbox.current()
    if not box.running:
        box.start()
    return box


def _deploy(box: Any, function: str, handler: str, statements: list[dict[str, Any]], **settings: Any) -> Any:
    """Deploy ``handlers/<handler>.py`` as ``app.py`` with a role allowing only ``statements``."""
    from course_lib.runtime import BASIC_EXECUTION_POLICY, deploy_function

    role = box.ensure_role(f"{function}-role", inline_policies={
        "basic-execution": BASIC_EXECUTION_POLICY,
        "access": {"Version": "2012-10-17", "Statement": statements},
    })
    return deploy_function(function, {"app.py": handler_source(handler)}, role=role, **settings)


def _allow(box: Any, function: str, principal: str, source_arn: str, statement_id: str) -> None:
    """The resource policy that lets a service invoke the function (stored; AWS enforces it)."""
    lam = box.client("lambda")
    try:
        lam.add_permission(FunctionName=function, StatementId=statement_id, Action="lambda:InvokeFunction",
                           Principal=principal, SourceArn=source_arn)
    except lam.exceptions.ResourceConflictException:
        pass  # already there: the cell ran before


# ----------------------------------------------------------------------------------------------
# Pattern 1: REST API -> Lambda -> DynamoDB
# ----------------------------------------------------------------------------------------------
@dataclass
class RestApiPattern:
    """What :func:`build_rest_api` built, and a way to call it."""

    api_name: str
    api_id: str
    stage: str
    function: str
    table: str

    @property
    def url(self) -> str:
        from course_lib.wiring import apigateway

        return apigateway.invoke_url(self.api_id, self.stage)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Send an HTTPS request to the API (answered in-process); returns (status, JSON body)."""
        import requests

        data = None if body is None else (body if isinstance(body, str) else json.dumps(body))
        response = requests.request(method, self.url + path, data=data, headers={"Content-Type": "application/json"},
                                    timeout=10)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text

    def __repr__(self) -> str:
        return (f"<REST API pattern: API {self.api_name} (stage {self.stage}) -> function {self.function} "
                f"-> table {self.table}>")


def build_rest_api(name: str = "orders", stage: str = "prod") -> RestApiPattern:
    """API Gateway REST API (proxy integration) -> ``<name>-api`` function -> ``<name>`` table.

    Routes: ``POST /orders``, ``GET /orders``, ``GET /orders/{order_id}``."""
    box = _sandbox()
    table_arn = box.ensure_table(name, key="order_id").table_arn
    function = f"{name}-api"
    info = _deploy(box, function, "orders_api", [{
        "Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Scan"], "Resource": table_arn}],
        env={"TABLE_NAME": name}, memory_mb=256, timeout_s=10)
    gw = box.client("apigateway")
    api = next((a for a in gw.get_rest_apis(limit=500)["items"] if a["name"] == function), None)
    if api is None:
        api_id = gw.create_rest_api(name=function, description="REST API pattern: orders")["id"]
        root = gw.get_resources(restApiId=api_id)["items"][0]["id"]
        uri = f"arn:aws:apigateway:{box.region}:lambda:path/2015-03-31/functions/{info.arn}/invocations"
        orders = gw.create_resource(restApiId=api_id, parentId=root, pathPart="orders")["id"]
        one = gw.create_resource(restApiId=api_id, parentId=orders, pathPart="{order_id}")["id"]
        for resource, method in ((orders, "GET"), (orders, "POST"), (one, "GET")):
            gw.put_method(restApiId=api_id, resourceId=resource, httpMethod=method, authorizationType="NONE")
            gw.put_integration(restApiId=api_id, resourceId=resource, httpMethod=method, type="AWS_PROXY",
                               integrationHttpMethod="POST", uri=uri)
        gw.create_deployment(restApiId=api_id, stageName=stage)
    else:
        api_id = api["id"]
    _allow(box, function, "apigateway.amazonaws.com",
           f"arn:aws:execute-api:{box.region}:{box.account_id}:{api_id}/*", "rest-api-invoke")
    return RestApiPattern(function, api_id, stage, function, name)


# ----------------------------------------------------------------------------------------------
# Pattern 2: S3 -> Lambda -> DynamoDB -> SNS (-> SQS)
# ----------------------------------------------------------------------------------------------
@dataclass
class FileProcessingPattern:
    """What :func:`build_file_processing` built, and ways to feed and watch it."""

    bucket: str
    prefix: str
    function: str
    table: str
    topic_arn: str
    queue_url: str

    def upload(self, filename: str, text: str) -> str:
        """Put a CSV under the watched prefix; the function has run when this returns. Returns the key."""
        box = _sandbox()
        key = self.prefix + filename
        box.client("s3").put_object(Bucket=self.bucket, Key=key, Body=text.encode("utf-8"), ContentType="text/csv")
        from course_lib import clock

        clock.settle()  # S3 invokes Lambda asynchronously: wait for anything still queued
        return key

    def notifications(self) -> list[dict[str, Any]]:
        """Receive (and delete) every summary waiting in the queue the topic fans out to."""
        sqs = _sandbox().client("sqs")
        found = []
        while True:
            messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def payments(self) -> list[dict[str, Any]]:
        """Every item in the table, sorted by payment id (amounts as strings, as DynamoDB keeps them)."""
        ddb = _sandbox().resource("dynamodb").Table(self.table)
        items = ddb.scan()["Items"]
        return sorted(({k: (str(v) if not isinstance(v, str) else v) for k, v in i.items()} for i in items),
                      key=lambda i: i["payment_id"])

    def __repr__(self) -> str:
        return (f"<File-processing pattern: s3://{self.bucket}/{self.prefix}*.csv -> function {self.function} "
                f"-> table {self.table} -> topic {self.topic_arn.rsplit(':', 1)[-1]} -> queue "
                f"{self.queue_url.rsplit('/', 1)[-1]}>")


def build_file_processing(name: str = "payments") -> FileProcessingPattern:
    """``<name>-inbox`` bucket (``incoming/*.csv``) -> ``process-<name>`` -> ``<name>`` table, then a
    summary to the ``<name>-processed`` topic, which fans out to the ``<name>-notifications`` queue."""
    box = _sandbox()
    bucket, prefix, function = f"{name}-inbox", "incoming/", f"process-{name}"
    box.ensure_bucket(bucket)
    table_arn = box.ensure_table(name, key="payment_id").table_arn
    topic_arn = box.ensure_topic(f"{name}-processed")
    queue_url = box.ensure_queue(f"{name}-notifications")
    sqs, sns, s3 = box.client("sqs"), box.client("sns"), box.client("s3")
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})})
    subscribed = {s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]}
    if queue_arn not in subscribed:
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"RawMessageDelivery": "true"})
    info = _deploy(box, function, "payments_csv", [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{bucket}/{prefix}*"},
        {"Effect": "Allow", "Action": ["dynamodb:BatchWriteItem", "dynamodb:PutItem"], "Resource": table_arn},
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": topic_arn},
    ], env={"TABLE_NAME": name, "TOPIC_ARN": topic_arn}, memory_mb=512, timeout_s=60)
    _allow(box, function, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}", "s3-invoke")
    # Replaces the bucket's whole notification configuration: running this twice keeps one.
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "Id": "csv-arrived", "LambdaFunctionArn": info.arn, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}, {"Name": "suffix", "Value": ".csv"}]}},
        }]})
    return FileProcessingPattern(bucket, prefix, function, name, topic_arn, queue_url)


def payments_csv(rows: Iterable[tuple[str, str, str, str]]) -> str:
    """A payments CSV in the format the handler reads (header included)."""
    return "payment_id,customer,amount,currency\n" + "".join(",".join(r) + "\n" for r in rows)


# ----------------------------------------------------------------------------------------------
# Pattern 3: Kinesis -> Lambda -> S3 -> SQL
# ----------------------------------------------------------------------------------------------
PAGES = ("/", "/products/teapot", "/products/mug", "/products/tea", "/blog/brewing", "/cart", "/checkout")


def sample_clicks(n: int, seed: int = 14, start: str = "2026-03-02 10:00:00", minutes: int = 3) -> list[dict[str, str]]:
    """``n`` clicks spread evenly over ``minutes`` from ``start``: 40 users, a few crawlers. Same seed, same clicks."""
    import datetime as dt

    rng = random.Random(seed)
    origin = dt.datetime.strptime(start, "%Y-%m-%d %H:%M:%S")
    clicks = []
    for i in range(n):
        bot = rng.random() < 0.1
        at = origin + dt.timedelta(seconds=i * minutes * 60 / max(n, 1))
        clicks.append({"user": f"crawler-{rng.randint(1, 2)}" if bot else f"user-{rng.randint(1, 40)}",
                       "page": rng.choice(PAGES), "agent": "Googlebot/2.1" if bot else "Mozilla/5.0",
                       "at": at.strftime("%Y-%m-%d %H:%M:%S")})
    return clicks


@dataclass
class StreamingPattern:
    """What :func:`build_streaming` built, and ways to feed it and query what it wrote."""

    stream: str
    function: str
    bucket: str
    prefix: str
    window_s: int
    lake: Any = field(default=None, repr=False)

    def send(self, clicks: Sequence[dict[str, Any]]) -> int:
        """``put_records`` in batches of 500 (the API's limit), keyed by user; returns records written."""
        kinesis = _sandbox().client("kinesis")
        written = 0
        for start in range(0, len(clicks), 500):
            chunk = clicks[start:start + 500]
            answer = kinesis.put_records(StreamName=self.stream, Records=[
                {"Data": json.dumps(c).encode(), "PartitionKey": c["user"]} for c in chunk])
            written += len(chunk) - answer["FailedRecordCount"]
        return written

    def close_windows(self) -> Any:
        """Move the course clock past the mapping's batching window: waiting batches are delivered."""
        from course_lib import clock

        return clock.advance(seconds=self.window_s)

    def objects(self) -> list[str]:
        s3 = _sandbox().client("s3")
        return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix).get("Contents", []))

    def query(self, sql: str) -> Any:
        """Load every JSON-lines object as table ``windows`` (fresh each time) and run ``sql``."""
        from course_lib import stream_query

        self.lake = stream_query.Lake(_sandbox())
        self.lake.load_json_lines(self.bucket, prefix=self.prefix, table="windows")
        return self.lake.sql(sql)

    def __repr__(self) -> str:
        return (f"<Streaming pattern: Kinesis {self.stream} -> function {self.function} (batching window "
                f"{self.window_s} s) -> s3://{self.bucket}/{self.prefix} -> SQL>")


def build_streaming(stream: str = "clicks", bucket: str = "clicks-analytics", shards: int = 2,
                    batch_size: int = 500, window_s: int = 30) -> StreamingPattern:
    """``<stream>`` Kinesis stream -> ``<stream>-windows`` function (event source mapping with a
    batching window) -> JSON lines under ``s3://<bucket>/windows/``."""
    from course_lib import stream_polling  # noqa: F401 - importing it installs batches per shard

    box = _sandbox()
    kinesis, lam = box.client("kinesis"), box.client("lambda")
    if stream not in kinesis.list_streams()["StreamNames"]:
        kinesis.create_stream(StreamName=stream, ShardCount=shards)
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    box.ensure_bucket(bucket)
    prefix, function = "windows/", f"{stream}-windows"
    _deploy(box, function, "click_windows", [
        # What AWSLambdaKinesisExecutionRole grants: the mapping reads the stream as the function.
        {"Effect": "Allow", "Action": ["kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator",
                                       "kinesis:ListShards"], "Resource": stream_arn},
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::{bucket}/{prefix}*"},
    ], env={"BUCKET": bucket, "PREFIX": prefix}, memory_mb=256, timeout_s=60)
    if not lam.list_event_source_mappings(FunctionName=function, EventSourceArn=stream_arn)["EventSourceMappings"]:
        lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=function, StartingPosition="TRIM_HORIZON",
                                        BatchSize=batch_size, MaximumBatchingWindowInSeconds=window_s)
    return StreamingPattern(stream, function, bucket, prefix, window_s)


# ----------------------------------------------------------------------------------------------
# The real-world examples, mapped onto the patterns
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RealWorldExample:
    example: str
    pattern: str
    changes: str
    why: str


REAL_WORLD: tuple[RealWorldExample, ...] = (
    RealWorldExample(
        "Video processing (uploads transcoded into several formats)", "File processing",
        "S3 upload -> Lambda *starts* an AWS Elemental MediaConvert job instead of doing the work; "
        "an EventBridge rule on the job's completion event -> Lambda records the outputs in DynamoDB and "
        "notifies through SNS",
        "Transcoding a long video can take longer than Lambda's maximum timeout and needs more CPU than a "
        "function has; the trigger, the bookkeeping and the notification stay serverless (chapter 13: when "
        "Lambda does not fit)."),
    RealWorldExample(
        "Payments with notifications", "REST API + fan-out",
        "API Gateway -> Lambda -> DynamoDB (a conditional write keyed by an idempotency key); the function "
        "(or a DynamoDB stream) publishes `PaymentAccepted` to SNS, which fans out to one SQS queue per "
        "consumer: receipts, ledger, fraud checks",
        "The API answers as soon as the payment is stored once; slow or failing consumers retry from their "
        "own queues without slowing or repeating the payment (chapters 03, 04, 06, 07)."),
    RealWorldExample(
        "Webhooks that start a workflow", "REST API front + Step Functions",
        "API Gateway -> a small Lambda that verifies the signature and starts a Standard state machine named "
        "after the provider's event id; the workflow's Task states do the work with Retry and Catch",
        "Providers want a fast 2xx and redeliver on timeouts; naming the execution after the event makes a "
        "redelivery harmless, and the workflow keeps state, retries and history for long work (chapters 07, 08)."),
)


class RealWorldTable(tuple):  # type: ignore[type-arg]
    """The examples as a Markdown table (a tuple of :class:`RealWorldExample` otherwise)."""

    def _repr_markdown_(self) -> str:
        rows = ["| real-world example | pattern | what changes | why |", "|---|---|---|---|"]
        rows += [f"| {e.example} | {e.pattern} | {e.changes} | {e.why} |" for e in self]
        return "\n".join(rows)


def real_world() -> RealWorldTable:
    return RealWorldTable(REAL_WORLD)


# ----------------------------------------------------------------------------------------------
# What each pattern costs a month
# ----------------------------------------------------------------------------------------------
LEVELS = (10_000, 1_000_000, 100_000_000)

# Per-event usage, the course's assumptions (not AWS facts): change them to your workload.
ASSUMPTIONS: dict[str, dict[str, Any]] = {
    "REST API": {
        "unit": "requests",
        "api_type": "rest", "duration_ms": 60, "memory_mb": 256,
        "write_share": 0.2, "item_kb": 1.0, "log_kb": 0.5,
        "text": "each request: one REST API call, one 60 ms run at 256 MB, 20% write a 1 KB item and "
                "80% read one (eventually consistent); new items kept all month; 0.5 KB of logs",
    },
    "File processing": {
        "unit": "files",
        "rows": 100, "file_kb": 10.0, "duration_ms": 500, "memory_mb": 512, "item_kb": 1.0, "log_kb": 1.0,
        "text": "each file: 10 KB with 100 rows, stored all month; one S3 PUT and one GET; one 500 ms run at "
                "512 MB; 100 writes of 1 KB items; one SNS publish delivered to one SQS queue (send, receive, "
                "delete); 1 KB of logs",
    },
    "Streaming analytics": {
        "unit": "clicks",
        "record_kb": 0.5, "batch": 500, "duration_ms": 200, "memory_mb": 256, "peak_to_average": 3,
        "output_kb_per_batch": 4.0, "log_kb": 0.5,
        "text": "each click: a 0.5 KB record; a provisioned stream with the shards the busiest hour (3x the "
                "average rate) needs; Lambda reads 500 records per 200 ms run at 256 MB and writes one "
                "4 KB object per batch, kept all month; 0.5 KB of logs per run; the SQL query (Athena) is "
                "not priced",
    },
}


def architecture(pattern: str, volume: float) -> list[dict[str, Any]]:
    """The ``pricing.monthly_estimate`` components of ``pattern`` at ``volume`` events a month."""
    if pattern not in ASSUMPTIONS:
        raise ValueError(f"pattern must be one of {', '.join(PATTERNS)}; got {pattern!r}.")
    n = pricing._count("volume", volume)
    a = ASSUMPTIONS[pattern]
    gb = 1024.0 ** 2  # KB per GB
    if pattern == "REST API":
        writes = n * a["write_share"]
        return [
            {"service": "apigateway", "requests": n, "api_type": a["api_type"]},
            {"service": "lambda", "name": "orders-api", "requests": n, "duration_ms": a["duration_ms"], "memory_mb": a["memory_mb"]},
            {"service": "dynamodb", "writes": writes, "reads": n - writes, "item_kb": a["item_kb"],
             "storage_gb": writes * a["item_kb"] / gb},
            {"service": "cloudwatch_logs", "ingested_gb": n * a["log_kb"] / gb},
        ]
    if pattern == "File processing":
        return [
            {"service": "s3", "storage_gb": n * a["file_kb"] / gb, "put_requests": n, "get_requests": n},
            {"service": "lambda", "name": "process-payments", "requests": n, "duration_ms": a["duration_ms"],
             "memory_mb": a["memory_mb"]},
            {"service": "dynamodb", "writes": n * a["rows"], "item_kb": a["item_kb"],
             "storage_gb": n * a["rows"] * a["item_kb"] / gb},
            {"service": "sns", "publishes": n, "sqs_deliveries": n},
            {"service": "sqs", "requests": 3 * n},
            {"service": "cloudwatch_logs", "ingested_gb": n * a["log_kb"] / gb},
        ]
    from course_lib import facts, shards

    seconds = facts.value("billing.hours_per_month") * 3600
    peak = shards.shards_needed(records_per_s=n / seconds * a["peak_to_average"], record_kb=a["record_kb"])
    batches = math.ceil(n / a["batch"])
    return [
        {"service": "kinesis", "records": n, "record_kb": a["record_kb"], "mode": "provisioned",
         "shards": max(1, peak.shards)},
        {"service": "lambda", "name": "clicks-windows", "requests": batches, "duration_ms": a["duration_ms"],
         "memory_mb": a["memory_mb"]},
        {"service": "s3", "storage_gb": batches * a["output_kb_per_batch"] / gb, "put_requests": batches},
        {"service": "cloudwatch_logs", "ingested_gb": batches * a["log_kb"] / gb},
    ]


@dataclass(frozen=True)
class PatternCost:
    """One pattern at one traffic level: the month's USD, per service and in total."""

    pattern: str
    volume: float
    unit: str
    total: float
    by_service: dict[str, float]
    assumptions: str
    estimate: pricing.Estimate = field(repr=False, compare=False)

    def __repr__(self) -> str:
        parts = ", ".join(f"{pricing.SERVICE_TITLES.get(s, s)} {pricing.format_usd(v)}" for s, v in self.by_service.items())
        return f"<{self.pattern} at {self.volume:,.0f} {self.unit}/month: {pricing.format_usd(self.total)} ({parts})>"


class PatternCosts(list):  # type: ignore[type-arg]
    """Rows of :class:`PatternCost`; renders as a table of totals in Jupyter."""

    def _repr_markdown_(self) -> str:
        levels = sorted({r.volume for r in self})
        head = "| pattern | " + " | ".join(f"{v:,.0f} a month" for v in levels) + " |"
        rows = [head, "|---|" + "---:|" * len(levels)]
        for pattern in dict.fromkeys(r.pattern for r in self):
            mine = {r.volume: r for r in self if r.pattern == pattern}
            unit = next(iter(mine.values())).unit
            rows.append(f"| {pattern} ({unit}) | " + " | ".join(pricing.format_usd(mine[v].total) for v in levels) + " |")
        notes = [f"- **{p}**: {ASSUMPTIONS[p]['text']}." for p in dict.fromkeys(r.pattern for r in self)]
        return "\n".join(rows + ["", "_us-east-1 list prices, no free tier. Assumptions:_", ""] + notes)


def pattern_costs(levels: Sequence[float] = LEVELS, free_tier: bool = False) -> PatternCosts:
    """Each pattern's monthly cost at each traffic level (events = requests, files or clicks).

    Usage per event is in :data:`ASSUMPTIONS` (stated in every row); prices come from
    ``course_lib.pricing`` and so from the facts file. ``free_tier=False`` shows list prices,
    as a business would pay past its first months."""
    if not levels:
        raise ValueError("levels must name at least one traffic level, e.g. (10_000, 1_000_000).")
    rows = PatternCosts()
    for pattern in PATTERNS:
        for volume in levels:
            estimate = pricing.monthly_estimate(architecture(pattern, volume), free_tier=free_tier,
                                                title=f"{pattern}, {volume:,.0f} {ASSUMPTIONS[pattern]['unit']}")
            rows.append(PatternCost(pattern, float(volume), ASSUMPTIONS[pattern]["unit"], estimate.total,
                                    estimate.by_service(), ASSUMPTIONS[pattern]["text"], estimate))
    return rows
