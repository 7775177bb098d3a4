"""What "serverless" means on AWS, as data the chapters show: who manages what, EC2 next to Lambda,
the map of serverless services by category, the typical architecture, and what each service
costs in a month when nobody uses it.

    from course_lib import serverless
    serverless.responsibilities()        # Markdown: who does what, on EC2 and on Lambda
    serverless.ec2_vs_lambda()           # Markdown: the two side by side, numbers from the facts file
    serverless.SERVICES                  # the service map (diagrams.service_map draws it)
    serverless.idle_month()              # rows: what a month with zero traffic costs, per service

Every number comes from ``course_lib.facts`` or is computed by ``course_lib.pricing``; the
prose here holds no hand-typed limits or prices.
"""

from __future__ import annotations

from dataclasses import dataclass

from course_lib import facts, pricing

# The order the service map draws its categories in.
CATEGORIES = (
    "Compute",
    "Storage",
    "Databases",
    "Auth",
    "APIs",
    "Messaging",
    "Orchestration",
    "Containers",
    "Monitoring",
)

FAAS = "FaaS"
MANAGED = "managed service"


@dataclass(frozen=True)
class Service:
    """One AWS serverless service on the map."""

    name: str
    category: str
    kind: str  # FAAS (your code, run per event) or MANAGED (you configure it, AWS runs it)
    does: str
    chapter: int | None  # the course chapter that teaches it (None: mentioned only)


SERVICES: tuple[Service, ...] = (
    Service("Lambda", "Compute", FAAS, "runs your function for each event", 2),
    Service("S3", "Storage", MANAGED, "objects (files) of any size, static websites", 5),
    Service("EFS", "Storage", MANAGED, "a shared file system that grows and shrinks", 11),
    Service("DynamoDB", "Databases", MANAGED, "key-value and document tables", 4),
    Service("Aurora Serverless v2", "Databases", MANAGED, "relational SQL that scales its capacity", 11),
    Service("Cognito", "Auth", MANAGED, "sign-up, sign-in and tokens for your users", 10),
    Service("API Gateway", "APIs", MANAGED, "HTTPS front door: REST, HTTP and WebSocket APIs", 3),
    Service("AppSync", "APIs", MANAGED, "managed GraphQL APIs", None),
    Service("SQS", "Messaging", MANAGED, "queues that decouple producers from consumers", 6),
    Service("SNS", "Messaging", MANAGED, "publish/subscribe fan-out", 7),
    Service("EventBridge", "Messaging", MANAGED, "event buses, rules and schedules", 7),
    Service("Kinesis", "Messaging", MANAGED, "ordered data streams", 9),
    Service("Step Functions", "Orchestration", MANAGED, "state machines that coordinate steps", 8),
    Service("Fargate", "Containers", MANAGED, "containers without servers to manage", 11),
    Service("App Runner", "Containers", MANAGED, "web apps from a container or source code", 11),
    Service("CloudWatch", "Monitoring", MANAGED, "logs, metrics and alarms", 12),
    Service("X-Ray", "Monitoring", MANAGED, "traces of requests across services", None),
)


def services_in(category: str) -> list[Service]:
    if category not in CATEGORIES:
        raise KeyError(f"No category {category!r}; categories are {', '.join(CATEGORIES)}")
    return [s for s in SERVICES if s.category == category]


def service_table() -> str:
    """The service map as a Markdown table (chapter numbers link to the course's notebooks)."""
    from course_lib.chapters import CHAPTERS

    by_number = {c.number: c for c in CHAPTERS}
    rows = ["| Category | Service | What it does | Kind | Chapter |", "|---|---|---|---|---|"]
    for category in CATEGORIES:
        for s in services_in(category):
            chapter = by_number.get(s.chapter) if s.chapter is not None else None
            where = f"{chapter.number:02d}" if chapter else "(mentioned only)"
            rows.append(f"| {category} | {s.name} | {s.does} | {s.kind} | {where} |")
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------
# Who manages what
# --------------------------------------------------------------------------------------------
YOU = "you"
AWS = "AWS"

RESPONSIBILITIES: tuple[tuple[str, str, str], ...] = (
    # (task, on EC2, on Lambda)
    ("Buy, rack and repair the physical servers", AWS, AWS),
    ("Choose an instance size (CPU, RAM) and a number of instances", YOU, AWS),
    ("Install and patch the operating system", YOU, AWS),
    ("Install and patch the language runtime (Python)", YOU, AWS),
    ("Add capacity when traffic grows, remove it when it falls", YOU, AWS),
    ("Keep it running across Availability Zones when one fails", YOU, AWS),
    ("Write the application code", YOU, YOU),
    ("Decide what the code may access (IAM permissions)", YOU, YOU),
    ("Protect and model your data", YOU, YOU),
)


def responsibilities() -> str:
    """Markdown: who does each job on EC2 and on Lambda (the shared responsibility model)."""
    rows = ["| Job | EC2 (a server you rent) | Lambda (serverless) |", "|---|---|---|"]
    for task, ec2, lam in RESPONSIBILITIES:
        rows.append(f"| {task} | {'**you**' if ec2 == YOU else 'AWS'} | {'**you**' if lam == YOU else 'AWS'} |")
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------
# EC2 and Lambda side by side
# --------------------------------------------------------------------------------------------
def ec2_vs_lambda(instance_type: str = "t3.micro") -> str:
    """Markdown: an EC2 instance and a Lambda function compared, numbers from the facts file."""
    spec = pricing.ec2_instance_types()[instance_type]
    hourly = spec["hourly_usd"]
    month = pricing.ec2_cost(instance_type).total
    hours = facts.value("billing.hours_per_month")
    rows = [
        f"| | EC2 ({instance_type}) | Lambda |",
        "|---|---|---|",
        "| Runs | continuously, from launch until you stop it, busy or idle | on demand: only while handling an event |",
        (
            f"| Limited by | the instance's size: {spec['vcpus']} vCPU and {spec['memory_gib']} GiB, for as long as you like "
            f"| time: at most {facts.text('lambda.limits.timeout_max_s')} per invocation, "
            f"with {facts.text('lambda.limits.memory_min_mb')} to {facts.text('lambda.limits.memory_max_mb')} of memory |"
        ),
        (
            "| Scaling | manual, or an Auto Scaling group you configure (minutes to add an instance) "
            "| automatic: one execution environment per concurrent request, created in milliseconds to seconds |"
        ),
        (
            f"| You pay | {pricing.format_usd(hourly)} an hour while it runs, {pricing.format_usd(month)} for a "
            f"{hours:,}-hour month, traffic or not "
            f"| {facts.text('lambda.prices.request_per_million')} plus {facts.text('lambda.prices.duration_x86_64')}; "
            "nothing while idle |"
        ),
        "| State | a disk and processes that live as long as the instance | nothing survives an environment; keep state in DynamoDB or S3 |",
        "| Operating system | yours to choose, patch and secure | AWS's, patched for you |",
    ]
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------
# "Some services are more serverless than others": a month with no traffic at all
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IdleCost:
    service: str
    what: str
    usd: float
    scales_to_zero: bool


def idle_month() -> list[IdleCost]:
    """What each kind of resource costs for a month in which nobody uses it (no free tier).

    Storage is left out (an empty table or bucket stores nothing); everything is priced by
    ``course_lib.pricing`` for the 730-hour month the AWS Pricing Calculator uses."""
    rows = [
        ("Lambda", "a deployed function, never invoked", pricing.lambda_cost(0, 100, 128)),
        ("API Gateway", "an HTTP API, no requests", pricing.apigateway_cost(0, api_type="http").total),
        ("SQS", "an empty queue", pricing.sqs_cost(0).total),
        ("DynamoDB on-demand", "an empty on-demand table", pricing.dynamodb_cost().total),
        ("S3", "an empty bucket", pricing.s3_cost().total),
        ("DynamoDB provisioned", "a table with 5 RCU and 5 WCU provisioned", pricing.dynamodb_cost(mode="provisioned", rcu=5, wcu=5).total),
        ("Kinesis provisioned", "a stream with one shard", pricing.kinesis_cost(mode="provisioned", shards=1).total),
        ("Fargate", "one task of 0.25 vCPU and 0.5 GB, always running", pricing.fargate_cost(0.25, 0.5).total),
        ("EC2", "one t3.micro instance, always running", pricing.ec2_cost("t3.micro").total),
    ]
    return [IdleCost(name, what, usd, usd == 0) for name, what, usd in rows]


def idle_month_table() -> str:
    rows = ["| Service | Left idle for a month | Cost | Scales to zero? |", "|---|---|---:|---|"]
    for row in idle_month():
        rows.append(f"| {row.service} | {row.what} | {pricing.format_usd(row.usd)} | {'yes' if row.scales_to_zero else 'no'} |")
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------
# Pay per use: the bill follows the traffic (Lambda) or the calendar (a server)
# --------------------------------------------------------------------------------------------
def pay_per_use(
    requests_per_month: tuple[int, ...] = (0, 10_000, 1_000_000, 10_000_000, 100_000_000),
    duration_ms: float = 100,
    memory_mb: int = 512,
    instance_type: str = "t3.micro",
) -> list[tuple[int, float, float]]:
    """(requests a month, Lambda's bill, one always-on instance's bill), no free tier."""
    server = pricing.ec2_cost(instance_type).total
    return [(n, pricing.lambda_cost(n, duration_ms, memory_mb), server) for n in requests_per_month]


def pay_per_use_table(duration_ms: float = 100, memory_mb: int = 512, instance_type: str = "t3.micro") -> str:
    rows = [
        f"| Requests a month | Lambda ({duration_ms:g} ms at {memory_mb:,} MB) | one EC2 {instance_type}, always on |",
        "|---:|---:|---:|",
    ]
    for n, lam, server in pay_per_use(duration_ms=duration_ms, memory_mb=memory_mb, instance_type=instance_type):
        rows.append(f"| {n:,} | {pricing.format_usd(lam)} | {pricing.format_usd(server)} |")
    return "\n".join(rows)
