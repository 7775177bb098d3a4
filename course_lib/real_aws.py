"""Real AWS, for those who outgrow the laptop: off unless the learner opts in twice, knowingly.

    # 1. the setting, outside the notebook (a terminal, or $COURSE_HOME/settings.toml: real_aws = true)
    export COURSE_REAL_AWS=1
    # 2. in a fresh kernel: select real AWS, then confirm the account you mean
    aws = start(real_aws=True)                           # nothing is sent yet: every request is refused
    aws.confirm_real_aws(account_id="111122223333")      # checked against STS; shows what already costs

Both steps are needed, every kernel: the setting alone changes nothing (the sandbox stays local),
and ``start(real_aws=True)`` without the setting raises. Until the confirmation, the guard refuses
every request, the sandbox's clients and plain boto3 alike, except the read-only calls the
confirmation itself makes (``sts:GetCallerIdentity``, then ``List*``/``Describe*``/``Get*`` to see
what exists). The confirmation fails, enabling nothing, when the typed account is not the one STS
reports for the credentials.

What the estimate covers (:func:`idle_estimate`): what the resources that already exist in the
Region cost in a month with **no traffic**, at us-east-1 list prices, with no free tier: DynamoDB
tables (storage; provisioned capacity), Kinesis streams (shard or stream hours), S3 storage (the
first 1,000 objects of each bucket, marked "at least" beyond that), CloudWatch Logs storage. Lambda
functions and SQS queues are counted (they cost nothing idle). Not covered: the requests you are
about to make, data transfer, other Regions, and every other service (EC2, RDS, NAT gateways...).
The Billing console is the real figure.

Credentials come from the environment, ``~/.aws`` or a named profile (``profile`` in settings.toml;
SSO profiles too, their token calls pass the same guard). Instance metadata and container
credential endpoints are switched off, because they would open a socket before any guard sees it.

Differs from the local sandbox: everything is real and billed; ``aws.reset()`` refuses (the course
never deletes a real account's resources); chapters were written for the sandbox, so expect real
AWS's delays (IAM roles take seconds to be usable) and its quotas.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from course_lib import pricing
from course_lib.endpoint import README_SECTION, RealAWSRefused

SETTING = "COURSE_REAL_AWS"
S3_OBJECTS_PER_BUCKET = 1000  # one ListObjectsV2 page per bucket: enough to see the order of magnitude
_GB = 1024.0**3

# Variables that make botocore open a socket to a credentials endpoint of its own (no guard sees it).
_SOCKET_CREDENTIAL_VARIABLES = (
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
)


def setting_enabled(environ: Mapping[str, str] | None = None, settings: Any = None) -> bool:
    """The first step: ``COURSE_REAL_AWS=1`` (or true/yes/on), else ``real_aws = true`` in settings.toml."""
    env = os.environ if environ is None else environ
    if SETTING in env:
        return env[SETTING].strip().lower() in ("1", "true", "yes", "on")
    if settings is None:
        from course_lib import settings as settings_module

        settings = settings_module.load()
    return bool(settings.real_aws)


def setting_missing() -> RealAWSRefused:
    return RealAWSRefused(
        "Real AWS is off. This course runs everything in a local sandbox so that nothing can reach, change or\n"
        "bill a real account; real AWS is the route for those who outgrow the laptop, never a default.\n"
        "To opt in, knowingly:\n"
        "  1. set COURSE_REAL_AWS=1 where Jupyter starts (or real_aws = true in $COURSE_HOME/settings.toml),\n"
        "  2. restart the kernel and run aws = start(real_aws=True),\n"
        '  3. run aws.confirm_real_aws(account_id="<your 12-digit account id>").\n'
        f"Or stay local: aws = start(). See the {README_SECTION}."
    )


def restart_needed() -> RealAWSRefused:
    return RealAWSRefused(
        "Real AWS needs a fresh kernel: the local sandbox already ran in this one and replaced your credentials\n"
        "with fake ones (on purpose, so they could not leak into a demo). Restart the kernel and make\n"
        "aws = start(real_aws=True) its first sandbox call."
    )


def prepare_environment() -> None:
    """Real AWS: no endpoint override, and no credential source that opens its own socket."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in _SOCKET_CREDENTIAL_VARIABLES:
            del os.environ[name]
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def normalize_account_id(account_id: Any) -> str:
    """``"1111-2222-3333"`` or ``111122223333`` as 12 digits, or a clear error."""
    text = re.sub(r"[\s-]", "", str(account_id if account_id is not None else ""))
    if not re.fullmatch(r"\d{12}", text):
        raise ValueError(
            f"account_id={account_id!r} is not an AWS account id: type the 12 digits of the account you mean "
            "(the console shows it under your name, top right)."
        )
    return text


@dataclass(frozen=True)
class IdleEstimate:
    """What exists in the Region and what it costs for a month with no traffic."""

    estimate: pricing.Estimate | None  # None when nothing found costs anything idle
    counted: tuple[str, ...] = ()  # "3 Lambda functions (no cost while idle)", ...
    unreadable: tuple[str, ...] = ()  # services these credentials may not list
    capped: bool = False  # an S3 bucket had more objects than were counted

    @property
    def monthly_usd(self) -> float:
        return self.estimate.total if self.estimate else 0.0


def _paged(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    out: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        out += page.get(key, [])
    return out


def _dynamodb(client: Any) -> list[dict[str, Any]]:
    ddb = client("dynamodb")
    components = []
    for name in _paged(ddb, "list_tables", "TableNames"):
        table = ddb.describe_table(TableName=name)["Table"]
        mode = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
        throughput = table.get("ProvisionedThroughput") or {}
        spec: dict[str, Any] = {"service": "dynamodb", "name": f"DynamoDB table {name}",
                                "storage_gb": table.get("TableSizeBytes", 0) / _GB}
        if mode == "PROVISIONED":
            spec.update(mode="provisioned", wcu=throughput.get("WriteCapacityUnits", 0),
                        rcu=throughput.get("ReadCapacityUnits", 0))
        components.append(spec)
    return components


def _kinesis(client: Any) -> list[dict[str, Any]]:
    kinesis = client("kinesis")
    components = []
    for name in _paged(kinesis, "list_streams", "StreamNames"):
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        on_demand = (summary.get("StreamModeDetails") or {}).get("StreamMode") == "ON_DEMAND"
        components.append({"service": "kinesis", "name": f"Kinesis stream {name}",
                           "mode": "on_demand" if on_demand else "provisioned",
                           "shards": summary.get("OpenShardCount", 1), "records": 0})
    return components


def _logs(client: Any) -> list[dict[str, Any]]:
    stored = sum(g.get("storedBytes", 0) for g in _paged(client("logs"), "describe_log_groups", "logGroups"))
    if not stored:
        return []
    return [{"service": "cloudwatch_logs", "name": "CloudWatch Logs storage", "source": "custom",
             "ingested_gb": 0.0, "stored_gb": stored / _GB}]


def _s3(client: Any, flags: dict[str, bool]) -> list[dict[str, Any]]:
    s3 = client("s3")
    total = 0
    for bucket in s3.list_buckets().get("Buckets", []):
        page = s3.list_objects_v2(Bucket=bucket["Name"], MaxKeys=S3_OBJECTS_PER_BUCKET)
        total += sum(o.get("Size", 0) for o in page.get("Contents", []))
        flags["capped"] = flags["capped"] or bool(page.get("IsTruncated"))
    return [{"service": "s3", "name": "S3 Standard storage", "storage_gb": total / _GB}] if total else []


def idle_estimate(client: Callable[[str], Any]) -> IdleEstimate:
    """List what exists (read-only calls through ``client(service)``) and price an idle month."""
    from botocore.exceptions import BotoCoreError, ClientError

    components: list[dict[str, Any]] = []
    counted: list[str] = []
    unreadable: list[str] = []
    flags = {"capped": False}
    readers: list[tuple[str, Callable[[], list[dict[str, Any]]]]] = [
        ("DynamoDB", lambda: _dynamodb(client)),
        ("Kinesis", lambda: _kinesis(client)),
        ("S3", lambda: _s3(client, flags)),
        ("CloudWatch Logs", lambda: _logs(client)),
    ]
    for label, read in readers:
        try:
            components += read()
        except (ClientError, BotoCoreError) as exc:
            unreadable.append(f"{label} ({type(exc).__name__})")
    for label, service, operation, key in (
        ("Lambda function", "lambda", "list_functions", "Functions"),
        ("SQS queue", "sqs", "list_queues", "QueueUrls"),
    ):
        try:
            n = len(_paged(client(service), operation, key))
        except (ClientError, BotoCoreError) as exc:
            unreadable.append(f"{label}s ({type(exc).__name__})")
            continue
        counted.append(f"{n} {label}{'s' if n != 1 else ''} (no cost while idle)")
    estimate = None
    if components:
        estimate = pricing.monthly_estimate(components, free_tier=False,
                                            title="What exists now, for a month with no traffic")
    return IdleEstimate(estimate, tuple(counted), tuple(unreadable), flags["capped"])


@dataclass(frozen=True)
class Confirmation:
    """The learner's confirmation: which account, which Region, and what it already costs."""

    account_id: str
    arn: str
    region: str
    idle: IdleEstimate = field(default_factory=lambda: IdleEstimate(None))

    @property
    def account_label(self) -> str:
        a = self.account_id
        return f"{a[:4]}-{a[4:8]}-{a[8:]}"

    def _repr_markdown_(self) -> str:
        usd = pricing.format_usd(self.idle.monthly_usd)
        at_least = "at least " if self.idle.capped else ""
        out = [
            f"**Real AWS confirmed**: account `{self.account_label}` as `{self.arn}`, Region `{self.region}`.",
            "",
            f"What already exists there costs about **{at_least}{usd} a month** with no traffic "
            "(us-east-1 list prices, no free tier).",
        ]
        if self.idle.estimate:
            out += ["", "| resource | a month, idle |", "|---|---:|"]
            out += [f"| {c.label} | {pricing.format_usd(c.total)} |" for c in self.idle.estimate.components]
        extras = list(self.idle.counted) + [f"could not list {u}" for u in self.idle.unreadable]
        if extras:
            out += ["", "Also: " + "; ".join(extras) + "."]
        out += [
            "",
            "Covers DynamoDB tables, Kinesis streams, S3 storage (first "
            f"{S3_OBJECTS_PER_BUCKET:,} objects per bucket) and CloudWatch Logs storage in this Region. "
            "Not covered: the requests you make from now on, data transfer, other Regions and other services. "
            "The Billing console has the real figure.",
            "",
            "**From now on, requests from this kernel go to this account and are billed.** "
            "Restart the kernel (or run `aws = start()`) to go back to the local sandbox.",
        ]
        return "\n".join(out)

    def __repr__(self) -> str:
        return (f"<Real AWS confirmed: account {self.account_label} ({self.arn}), {self.region}; "
                f"what exists costs about {pricing.format_usd(self.idle.monthly_usd)} a month idle>")


def confirm(typed_account_id: Any, client: Callable[[str], Any], region: str) -> Confirmation:
    """Check the typed account against STS, then list and price what exists (read-only calls)."""
    typed = normalize_account_id(typed_account_id)
    identity = client("sts").get_caller_identity()
    actual = str(identity.get("Account", ""))
    if actual != typed:
        raise RealAWSRefused(
            f"You typed account {typed}, but these credentials belong to account {actual} "
            f"({identity.get('Arn', 'unknown identity')}). Nothing was enabled: every request is still refused.\n"
            "Check which profile or keys this kernel uses, then confirm the account you really mean."
        )
    return Confirmation(typed, str(identity.get("Arn", "")), region, idle_estimate(client))
