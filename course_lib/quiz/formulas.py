"""Worked answers for parameterised questions, and the predictable wrong ones.

A bank names a formula (``answer: {formula: lambda_monthly_cost}``); its arguments are the
question's parameters by name, plus any fixed ``args``. Every formula computes with
``course_lib.pricing`` and ``course_lib.facts``, so no answer is ever typed by hand and a price
change in ``facts.yaml`` changes every answer with it.

The "mistake" formulas compute what a learner gets by a typical slip, so the quiz can say
*which* slip it was ("you left out the request charge") instead of only "wrong".
"""

from __future__ import annotations

import inspect
from typing import Callable

from course_lib import facts

FORMULAS: dict[str, Callable[..., float]] = {}


def formula(fn: Callable[..., float]) -> Callable[..., float]:
    """Register ``fn`` under its own name for banks to use."""
    FORMULAS[fn.__name__] = fn
    return fn


def required_args(name: str) -> list[str]:
    """The parameters a formula needs (those without defaults)."""
    sig = inspect.signature(FORMULAS[name])
    return [p.name for p in sig.parameters.values() if p.default is inspect.Parameter.empty]


def accepted_args(name: str) -> list[str]:
    return list(inspect.signature(FORMULAS[name]).parameters)


def _request_charge(requests: int) -> float:
    return requests / 1e6 * facts.value("lambda.prices.request_per_million")


@formula
def lambda_monthly_cost(
    requests: int, duration_ms: float, memory_mb: int, architecture: str = "x86_64", free_tier: bool = False
) -> float:
    """The month's bill: requests plus GB-seconds (``course_lib.pricing.lambda_cost``)."""
    from course_lib.pricing import lambda_cost

    return lambda_cost(requests, duration_ms, memory_mb, architecture=architecture, free_tier=free_tier)


@formula
def lambda_gb_seconds(requests: int, duration_ms: float, memory_mb: int) -> float:
    """Compute used in a month: invocations x seconds x GB."""
    return requests * duration_ms / 1000 * memory_mb / 1024


@formula
def lambda_cost_without_requests(
    requests: int, duration_ms: float, memory_mb: int, architecture: str = "x86_64"
) -> float:
    """Mistake: only the duration charge (the per-request charge forgotten)."""
    return lambda_monthly_cost(requests, duration_ms, memory_mb, architecture) - _request_charge(requests)


@formula
def lambda_cost_requests_only(requests: int, duration_ms: float, memory_mb: int) -> float:
    """Mistake: only the per-request charge (the duration charge forgotten)."""
    return _request_charge(requests)


@formula
def lambda_cost_ms_as_seconds(
    requests: int, duration_ms: float, memory_mb: int, architecture: str = "x86_64"
) -> float:
    """Mistake: milliseconds used as seconds (the duration charge 1,000 times too big)."""
    duration = lambda_cost_without_requests(requests, duration_ms, memory_mb, architecture)
    return _request_charge(requests) + duration * 1000


@formula
def lambda_cost_mb_as_gb(requests: int, duration_ms: float, memory_mb: int, architecture: str = "x86_64") -> float:
    """Mistake: memory in MB used as GB (the duration charge 1,024 times too big)."""
    duration = lambda_cost_without_requests(requests, duration_ms, memory_mb, architecture)
    return _request_charge(requests) + duration * 1024


@formula
def lambda_cost_with_free_tier(
    requests: int, duration_ms: float, memory_mb: int, architecture: str = "x86_64"
) -> float:
    """Mistake when the question says to ignore it: the free tier subtracted."""
    return lambda_monthly_cost(requests, duration_ms, memory_mb, architecture, free_tier=True)


# -- chapter 10: Cognito ---------------------------------------------------------------------------


@formula
def cognito_monthly_cost(mau: int, plan: str = "essentials") -> float:
    """A user pool's month: MAUs above the free allowance at the plan's price (free tier applied)."""
    from course_lib.pricing import cognito_cost

    return cognito_cost(mau, plan, free_tier=True).total


@formula
def cognito_cost_without_free_tier(mau: int, plan: str = "essentials") -> float:
    """Mistake: every MAU billed, the monthly free allowance forgotten."""
    from course_lib.pricing import cognito_cost

    return cognito_cost(mau, plan, free_tier=False).total


@formula
def cognito_free_mau(mau: int, plan: str = "essentials") -> float:
    """The free allowance of the plan (for explanations)."""
    return float(facts.value(f"cognito.free_tier.{plan}_mau"))


@formula
def cognito_billed_mau(mau: int, plan: str = "essentials") -> float:
    """MAUs above the free allowance."""
    return max(0.0, mau - cognito_free_mau(mau, plan))


# -- chapter 01: how Lambda scales ---------------------------------------------------------------
@formula
def lambda_concurrency(requests_per_second: float, duration_ms: float) -> float:
    """Execution environments busy at once: requests per second × seconds per request
    (``course_lib.scaling.steady_concurrency``)."""
    from course_lib.scaling import steady_concurrency

    return steady_concurrency(requests_per_second, duration_ms)


@formula
def lambda_concurrency_ms_as_seconds(requests_per_second: float, duration_ms: float) -> float:
    """Mistake: the duration in milliseconds used as seconds (1,000 times too many)."""
    return lambda_concurrency(requests_per_second, duration_ms) * 1000


@formula
def lambda_concurrency_per_minute(requests_per_second: float, duration_ms: float) -> float:
    """Mistake: requests per second multiplied by 60 (as if they were per minute)."""
    return lambda_concurrency(requests_per_second, duration_ms) * 60


# -- chapter 04: DynamoDB capacity units ---------------------------------------------------------
@formula
def dynamodb_read_capacity(item_kb: float, reads_per_second: float, consistency: str = "strong") -> float:
    """Read capacity units for a steady read rate (``course_lib.pricing.dynamodb_request_units``)."""
    from course_lib.pricing import dynamodb_request_units

    return reads_per_second * dynamodb_request_units(item_kb, f"{consistency}_read")


@formula
def dynamodb_read_capacity_other_consistency(item_kb: float, reads_per_second: float, consistency: str = "strong") -> float:
    """Mistake: strong and eventual consistency swapped (twice or half the right number)."""
    other = "eventual" if consistency == "strong" else "strong"
    return dynamodb_read_capacity(item_kb, reads_per_second, other)


@formula
def dynamodb_read_capacity_1kb_units(item_kb: float, reads_per_second: float, consistency: str = "strong") -> float:
    """Mistake: reads counted in 1 KB units, as writes are."""
    import math

    factor = 0.5 if consistency == "eventual" else 1.0
    return reads_per_second * math.ceil(item_kb) * factor


@formula
def dynamodb_read_capacity_unrounded(item_kb: float, reads_per_second: float, consistency: str = "strong") -> float:
    """Mistake: the item size divided by 4 KB without rounding up to whole units."""
    from course_lib import facts

    factor = 0.5 if consistency == "eventual" else 1.0
    return reads_per_second * item_kb / facts.value("dynamodb.units.read_unit_kb") * factor


@formula
def dynamodb_write_capacity(item_kb: float, writes_per_second: float, transactional: bool = False) -> float:
    """Write capacity units for a steady write rate: 1 KB units, two per write in a transaction."""
    from course_lib.pricing import dynamodb_request_units

    kind = "transactional_write" if transactional else "write"
    return writes_per_second * dynamodb_request_units(item_kb, kind)


# -- S3 (chapter 05) ------------------------------------------------------------------------------
@formula
def s3_multipart_parts(object_gb: float, part_mb: float) -> float:
    """Parts in a multipart upload: object size over part size, rounded up (GiB and MiB)."""
    from course_lib.multipart import parts_needed

    return parts_needed(object_gb, part_mb)


@formula
def s3_multipart_parts_decimal(object_gb: float, part_mb: float) -> float:
    """Mistake: 1 GB taken as 1,000 MB (the limits and part sizes are binary: 1 GiB = 1,024 MiB)."""
    import math

    return math.ceil(object_gb * 1000 / part_mb)


@formula
def s3_multipart_parts_rounded_down(object_gb: float, part_mb: float) -> float:
    """Mistake: the division rounded down, leaving the remainder without a part."""
    import math

    return math.floor(object_gb * 1024 / part_mb)


@formula
def s3_monthly_cost(storage_gb: float, put_requests: int, get_requests: int) -> float:
    """S3 Standard for a month: GB-months stored plus PUT-class and GET-class requests."""
    from course_lib.pricing import s3_cost

    return s3_cost(storage_gb, put_requests, get_requests).total


@formula
def s3_storage_only_cost(storage_gb: float, put_requests: int = 0, get_requests: int = 0) -> float:
    """Mistake: the storage line alone (both request charges forgotten)."""
    from course_lib.pricing import s3_cost

    return s3_cost(storage_gb).total


@formula
def s3_cost_requests_per_million(storage_gb: float, put_requests: int, get_requests: int) -> float:
    """Mistake: request prices read as per million requests instead of per thousand."""
    from course_lib.pricing import s3_cost

    return s3_cost(storage_gb).total + s3_cost(0, put_requests, get_requests).total / 1000


@formula
def s3_cost_gets_at_put_price(storage_gb: float, put_requests: int, get_requests: int) -> float:
    """Mistake: every request priced as a PUT (GETs are more than ten times cheaper)."""
    from course_lib.pricing import s3_cost

    return s3_cost(storage_gb, put_requests + get_requests, 0).total


@formula
def s3_class_monthly_cost(storage_gb: float, read_gb: float, storage_class: str = "STANDARD_IA") -> float:
    """A storage class for a month: GB stored at its price plus GB read at its retrieval price."""
    from course_lib.storage_classes import monthly_cost

    return monthly_cost(storage_class, storage_gb, read_gb)


@formula
def s3_class_cost_without_retrieval(storage_gb: float, read_gb: float, storage_class: str = "STANDARD_IA") -> float:
    """Mistake: the storage charge alone (the per-GB retrieval charge forgotten)."""
    from course_lib.storage_classes import monthly_cost

    return monthly_cost(storage_class, storage_gb, 0)


# -- chapter 06: SQS ---------------------------------------------------------------------------
def _sqs_chunks(size_kb: float) -> int:
    import math

    return max(1, math.ceil(round(size_kb / facts.value("sqs.units.billing_chunk_kb"), 9)))


def _sqs_requests_cost(requests: float, queue_type: str = "standard", free_tier: bool = False) -> float:
    from course_lib.pricing import sqs_cost

    return sqs_cost(requests, 0, queue_type, free_tier=free_tier).total


@formula
def sqs_billed_requests(messages: int, size_kb: float) -> float:
    """Billed requests when each message is sent, received and deleted one call at a time:
    send and receive carry the payload (one request per 64 KB chunk), delete carries none."""
    return messages * (2 * _sqs_chunks(size_kb) + 1)


@formula
def sqs_message_cost(messages: int, size_kb: float, queue_type: str = "standard") -> float:
    """The month's SQS bill for that traffic (no free tier)."""
    return _sqs_requests_cost(sqs_billed_requests(messages, size_kb), queue_type)


@formula
def sqs_cost_ignoring_chunks(messages: int, size_kb: float, queue_type: str = "standard") -> float:
    """Mistake: three requests per message, whatever its size (64 KB chunks forgotten)."""
    return _sqs_requests_cost(3 * messages, queue_type)


@formula
def sqs_cost_send_only(messages: int, size_kb: float, queue_type: str = "standard") -> float:
    """Mistake: only the SendMessage requests (receive and delete are billed too)."""
    return _sqs_requests_cost(messages * _sqs_chunks(size_kb), queue_type)


@formula
def sqs_cost_chunks_on_delete(messages: int, size_kb: float, queue_type: str = "standard") -> float:
    """Mistake: the delete billed per 64 KB chunk as well (it carries no payload)."""
    return _sqs_requests_cost(3 * messages * _sqs_chunks(size_kb), queue_type)


@formula
def sqs_cost_with_free_tier(messages: int, size_kb: float, queue_type: str = "standard") -> float:
    """Mistake when the question says to ignore it: the free million requests subtracted."""
    return _sqs_requests_cost(sqs_billed_requests(messages, size_kb), queue_type, free_tier=True)


@formula
def sqs_chunks_per_message(size_kb: float) -> float:
    """64 KB chunks in one message of ``size_kb``."""
    return _sqs_chunks(size_kb)


# -- Step Functions (chapter 08) ------------------------------------------------------------------


@formula
def sfn_transitions(executions: int, states: int, retries: int) -> float:
    """State transitions billed in a month: every state entered plus every retry."""
    return executions * (states + retries)


@formula
def sfn_standard_cost(executions: int, states: int, retries: int) -> float:
    """A Standard workflow's month, no free tier (``course_lib.pricing.stepfunctions_cost``)."""
    from course_lib.pricing import stepfunctions_cost

    return stepfunctions_cost(executions, "standard", transitions_per_execution=states + retries).total


@formula
def sfn_standard_cost_without_retries(executions: int, states: int, retries: int) -> float:
    """Mistake: retries left out (each retry is billed as a state transition)."""
    return sfn_standard_cost(executions, states, 0)


@formula
def sfn_standard_cost_per_million(executions: int, states: int, retries: int) -> float:
    """Mistake: the price read per million transitions instead of per thousand."""
    return sfn_standard_cost(executions, states, retries) / 1000


@formula
def sfn_standard_cost_with_free_tier(executions: int, states: int, retries: int) -> float:
    """Mistake when the question says to ignore it: the free transitions subtracted."""
    from course_lib.pricing import stepfunctions_cost

    return stepfunctions_cost(executions, "standard", transitions_per_execution=states + retries, free_tier=True).total


def _retry_waits(interval: float, rate: float, attempts: int) -> list[float]:
    return [interval * rate**k for k in range(attempts)]


@formula
def sfn_retry_total_wait_s(interval: float, rate: float, attempts: int) -> float:
    """Seconds of backoff when every retry fails: interval x (1 + rate + rate^2 + ...), one wait per retry."""
    return sum(_retry_waits(interval, rate, attempts))


@formula
def sfn_retry_last_wait_s(interval: float, rate: float, attempts: int) -> float:
    """The wait before the last retry: interval x rate^(attempts - 1)."""
    return _retry_waits(interval, rate, attempts)[-1]


@formula
def sfn_retry_wait_one_short(interval: float, rate: float, attempts: int) -> float:
    """Mistake: one wait too few (the first retry also waits)."""
    return sum(_retry_waits(interval, rate, attempts - 1))


@formula
def sfn_retry_wait_without_backoff(interval: float, rate: float, attempts: int) -> float:
    """Mistake: the same interval every time (BackoffRate ignored)."""
    return interval * attempts


# -- chapter 12: CloudWatch ------------------------------------------------------------------------


@formula
def cloudwatch_monthly_cost(alarms: int, custom_metrics: int, dashboards: int) -> float:
    """Standard alarms, custom metrics and dashboards for a month, free tier ignored."""
    return (
        alarms * facts.value("cloudwatch.prices.alarm_standard_metric")
        + custom_metrics * facts.value("cloudwatch.prices.custom_metric_month")
        + dashboards * facts.value("cloudwatch.prices.dashboard_month")
    )


@formula
def cloudwatch_cost_without_dashboards(alarms: int, custom_metrics: int, dashboards: int) -> float:
    """Mistake: the dashboards left out."""
    return cloudwatch_monthly_cost(alarms, custom_metrics, 0)


@formula
def cloudwatch_cost_with_free_tier(alarms: int, custom_metrics: int, dashboards: int) -> float:
    """Mistake when the question says to ignore it: the free allowances subtracted."""
    return cloudwatch_monthly_cost(
        max(0, alarms - int(facts.value("cloudwatch.free_tier.alarm_metrics"))),
        max(0, custom_metrics - int(facts.value("cloudwatch.free_tier.custom_metrics"))),
        max(0, dashboards - int(facts.value("cloudwatch.free_tier.dashboards"))),
    )


@formula
def cloudwatch_alarm_part(alarms: int, custom_metrics: int, dashboards: int) -> float:
    return cloudwatch_monthly_cost(alarms, 0, 0)


@formula
def cloudwatch_metric_part(alarms: int, custom_metrics: int, dashboards: int) -> float:
    return cloudwatch_monthly_cost(0, custom_metrics, 0)


@formula
def cloudwatch_dashboard_part(alarms: int, custom_metrics: int, dashboards: int) -> float:
    return cloudwatch_monthly_cost(0, 0, dashboards)


# -- chapter 07: SNS and EventBridge -----------------------------------------------------------
def _eb_chunks(size_kb: float) -> int:
    import math

    return max(1, math.ceil(round(size_kb / facts.value("eventbridge.units.billing_chunk_kb"), 9)))


def _eb_events_cost(billed_events: float) -> float:
    from course_lib.pricing import eventbridge_cost

    return eventbridge_cost(custom_events=billed_events).total


@formula
def eventbridge_billed_events(events: int, size_kb: float) -> float:
    """Custom events as billed: one per 64 KB chunk of each event's payload."""
    return events * _eb_chunks(size_kb)


@formula
def eventbridge_events_cost(events: int, size_kb: float, targets: int = 1) -> float:
    """The month's bill for publishing custom events (matching rules and delivering to
    AWS-service targets adds nothing)."""
    return _eb_events_cost(eventbridge_billed_events(events, size_kb))


@formula
def eventbridge_cost_ignoring_chunks(events: int, size_kb: float, targets: int = 1) -> float:
    """Mistake: one billed event per event, whatever its size."""
    return _eb_events_cost(events)


@formula
def eventbridge_cost_per_target(events: int, size_kb: float, targets: int = 1) -> float:
    """Mistake: each delivery to a target billed as another event."""
    return _eb_events_cost(eventbridge_billed_events(events, size_kb) * targets)


@formula
def eventbridge_chunks_per_event(size_kb: float) -> float:
    """64 KB chunks in one event of ``size_kb``."""
    return _eb_chunks(size_kb)


# -- Kinesis and Firehose (chapter 09) --------------------------------------------------------------


@formula
def kinesis_shards_needed(records_per_s: float, record_kb: float) -> float:
    """Shards for a write rate: the larger of the record-count and data-volume needs."""
    from course_lib.shards import shards_needed

    return shards_needed(records_per_s, record_kb).shards


@formula
def kinesis_shards_by_records_only(records_per_s: float, record_kb: float) -> float:
    """Mistake: only the records-per-second limit checked."""
    from course_lib.shards import shards_needed

    return max(1, shards_needed(records_per_s, record_kb).by_records)


@formula
def kinesis_write_mb_per_s(records_per_s: float, record_kb: float) -> float:
    """The write rate in MB per second (1 MB = 1,024 KB)."""
    return records_per_s * record_kb / 1024


@formula
def firehose_billed_gb(records: int, record_kb: float) -> float:
    """GB Firehose bills: every record rounded up to the next 5 KB (1 GB = 1,024 x 1,024 KB)."""
    import math

    step = facts.value("firehose.units.record_rounding_kb")
    return records * math.ceil(round(record_kb / step, 9)) * step / 1024 / 1024


def _firehose_first_price() -> float:
    return float(facts.value("firehose.prices.ingest_gb")[0]["price"])


@formula
def firehose_monthly_cost(records: int, record_kb: float) -> float:
    """Direct PUT ingestion for a month (``course_lib.pricing.firehose_cost``), no free tier."""
    from course_lib.pricing import firehose_cost

    return firehose_cost(records, record_kb).total


@formula
def firehose_cost_without_rounding(records: int, record_kb: float) -> float:
    """Mistake: records billed at their real size (the 5 KB rounding forgotten)."""
    return records * record_kb / 1024 / 1024 * _firehose_first_price()


@formula
def firehose_cost_decimal_gb(records: int, record_kb: float) -> float:
    """Mistake: 1 GB taken as 1,000,000 KB instead of 1,024 x 1,024 KB."""
    return firehose_monthly_cost(records, record_kb) * 1024 * 1024 / 1e6


# -- chapter 11: Fargate and Aurora Serverless v2 --------------------------------------------------


@formula
def fargate_job_monthly_cost(vcpu: float, memory_gb: float, hours_per_run: float, runs: int) -> float:
    """A batch job on Fargate (x86): vCPU-hours and GB-hours over every run of the month."""
    from course_lib.pricing import fargate_cost

    return fargate_cost(vcpu=vcpu, memory_gb=memory_gb, hours=hours_per_run * runs).total


@formula
def fargate_job_vcpu_only(vcpu: float, memory_gb: float, hours_per_run: float, runs: int) -> float:
    """Mistake: the memory charge left out."""
    return vcpu * hours_per_run * runs * facts.value("fargate.prices.vcpu_hour_x86_64")


@formula
def fargate_job_one_run(vcpu: float, memory_gb: float, hours_per_run: float, runs: int) -> float:
    """Mistake: the cost of a single run, not the month."""
    return fargate_job_monthly_cost(vcpu, memory_gb, hours_per_run, 1)


@formula
def fargate_job_vcpu_hours(vcpu: float, memory_gb: float, hours_per_run: float, runs: int) -> float:
    return vcpu * hours_per_run * runs


@formula
def fargate_job_gb_hours(vcpu: float, memory_gb: float, hours_per_run: float, runs: int) -> float:
    return memory_gb * hours_per_run * runs


# -- API Gateway (chapter 03) ----------------------------------------------------------------------
@formula
def apigateway_monthly_cost(requests: int, api_type: str = "rest") -> float:
    """An API's request charge for a month, REST or HTTP, with volume tiers (no free tier)."""
    from course_lib.pricing import apigateway_cost

    return apigateway_cost(requests, api_type).total


@formula
def apigateway_rest_minus_http(requests: int) -> float:
    """What moving an API from REST to HTTP saves a month (request charges only)."""
    return apigateway_monthly_cost(requests, "rest") - apigateway_monthly_cost(requests, "http")


@formula
def apigateway_rest_only(requests: int) -> float:
    """Mistake: the REST API's bill, not the difference."""
    return apigateway_monthly_cost(requests, "rest")


@formula
def apigateway_http_only(requests: int) -> float:
    """Mistake: the HTTP API's bill, not the difference."""
    return apigateway_monthly_cost(requests, "http")


@formula
def token_bucket_passes(rate: float, burst: float, sent: int) -> float:
    """Requests that pass when ``sent`` arrive at once at a full bucket: at most the burst."""
    return min(sent, burst)


@formula
def token_bucket_rate_only(rate: float, burst: float, sent: int) -> float:
    """Mistake: the rate read as the number that may arrive at once."""
    return min(sent, rate)


# -- chapter 13: costs and when not to use serverless ---------------------------------------------
def _ec2_month(instance_type: str) -> float:
    from course_lib.pricing import ec2_cost

    return ec2_cost(instance_type).total


def _first_tier_price(key: str) -> float:
    price = facts.value(key)
    return float(price[0]["price"]) if isinstance(price, list) else float(price)


@formula
def lambda_break_even_requests(duration_ms: float, memory_mb: int, instance_type: str = "t3.small") -> float:
    """Requests a month at which x86 Lambda costs as much as one always-on EC2 instance."""
    per_request = (facts.value("lambda.prices.request_per_million") / 1e6
                   + duration_ms / 1000 * memory_mb / 1024 * _first_tier_price("lambda.prices.duration_x86_64"))
    return _ec2_month(instance_type) / per_request


@formula
def lambda_break_even_without_requests(duration_ms: float, memory_mb: int, instance_type: str = "t3.small") -> float:
    """Mistake: the per-request charge left out, so the break-even comes out too high."""
    per_request = duration_ms / 1000 * memory_mb / 1024 * _first_tier_price("lambda.prices.duration_x86_64")
    return _ec2_month(instance_type) / per_request


@formula
def lambda_break_even_ms_as_seconds(duration_ms: float, memory_mb: int, instance_type: str = "t3.small") -> float:
    """Mistake: milliseconds used as seconds, so the break-even comes out a thousand times too low."""
    per_request = (facts.value("lambda.prices.request_per_million") / 1e6
                   + duration_ms * memory_mb / 1024 * _first_tier_price("lambda.prices.duration_x86_64"))
    return _ec2_month(instance_type) / per_request


@formula
def provisioned_concurrency_idle_cost(concurrency: int, memory_mb: int) -> float:
    """x86 provisioned concurrency kept on all month, serving no requests."""
    hours = facts.value("billing.hours_per_month")
    return concurrency * memory_mb / 1024 * hours * 3600 * facts.value("lambda.prices.provisioned_concurrency_x86_64")


@formula
def provisioned_concurrency_mb_as_gb(concurrency: int, memory_mb: int) -> float:
    """Mistake: memory in MB used as GB."""
    hours = facts.value("billing.hours_per_month")
    return concurrency * memory_mb * hours * 3600 * facts.value("lambda.prices.provisioned_concurrency_x86_64")


@formula
def provisioned_concurrency_one_environment(concurrency: int, memory_mb: int) -> float:
    """Mistake: priced one environment, not all of them."""
    return provisioned_concurrency_idle_cost(1, memory_mb)
