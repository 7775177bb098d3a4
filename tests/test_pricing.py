"""The price model against AWS's own worked examples, its tiers, free tier and input checks.

Each "published example" test reproduces a worked example from an AWS pricing page, with the
inputs and the total the page states (us-east-1). The pages round each line to the cent, so
totals are compared to the cent.
"""

from __future__ import annotations

import ast
import inspect
import math
from pathlib import Path

import pytest

from course_lib import facts, pricing
from course_lib.pricing import PricingInputError


def cents(usd: float) -> float:
    return round(usd + 1e-9, 2)


# --------------------------------------------------------------------------------------------
# AWS Lambda pricing page (https://aws.amazon.com/lambda/pricing/), US East (N. Virginia)
# --------------------------------------------------------------------------------------------
def test_lambda_example_1_mobile_application_backend():
    # 3M requests, 120 ms, 1,536 MB, x86, free tier: $2.33 compute + $0.40 requests = $2.73.
    cost = pricing.lambda_breakdown(3_000_000, 120, 1536, "x86_64", free_tier=True)
    assert cost.gb_seconds == pytest.approx(540_000)
    assert cents(cost.compute_line.total) == 2.33
    assert cents(cost.request_line.total) == 0.40
    assert cents(cost.total) == 2.73
    assert cents(pricing.lambda_cost(3_000_000, 120, 1536, "x86_64", True)) == 2.73


def test_lambda_example_2_enriching_streaming_telemetry():
    # 10,000 vehicles x 24 x 31 = 7.44M messages, 2 s at 1 GB, x86, no free tier: $249.49.
    cost = pricing.lambda_breakdown(10_000 * 24 * 31, 2000, 1024)
    assert cost.gb_seconds == pytest.approx(14_880_000)
    assert cents(cost.request_line.total) == 1.49
    assert cents(cost.compute_line.total) == 248.00
    assert cents(cost.total) == 249.49


def test_lambda_example_3_ml_on_support_tickets_with_ephemeral_storage():
    # 6M requests, 280 ms, 4,096 MB, 2,048 MB of /tmp, free tier: $105.33 + $1 + $0.08 = $106.41.
    cost = pricing.lambda_breakdown(6_000_000, 280, 4096, free_tier=True, ephemeral_storage_mb=2048)
    assert cents(cost.compute_line.total) == 105.33
    assert cents(cost.request_line.total) == 1.00
    assert cents(cost.line("Ephemeral storage").total) == 0.08
    assert cents(cost.total) == 106.41


def test_lambda_provisioned_concurrency_example_1_mobile_application_launch():
    # 100 x 1,536 MB for 8 h serving 500k requests at 100 ms; 2.5M more on demand at 120 ms.
    month = pricing.BillingMonth(free_tier=True)
    provisioned = pricing.lambda_provisioned_cost(100, 1536, 8, 500_000, 100, month=month)
    on_demand = pricing.lambda_breakdown(2_500_000, 120, 1536, month=month)
    assert cents(provisioned.line("Provisioned concurrency").total) == 18.00
    assert cents(provisioned.line("Compute (provisioned)").total) == 0.73
    assert cents(on_demand.compute_line.total) == 0.83
    # The page charges 3M - 1M free requests = $0.40 in one line; here it is split in two.
    assert cents(provisioned.line("Requests").total + on_demand.request_line.total) == 0.40
    assert cents(provisioned.total + on_demand.total) == 19.96


def test_lambda_provisioned_concurrency_example_2_cyber_monday():
    # 7 x 4,096 MB for 24 h, 2M requests at 280 ms: $10.08 + $21.78 + $0.40 = $32.26.
    cost = pricing.lambda_provisioned_cost(7, 4096, 24, 2_000_000, 280)
    assert cents(cost.line("Provisioned concurrency").total) == 10.08
    assert cents(cost.line("Compute (provisioned)").total) == 21.78
    assert cents(cost.total) == 32.26


def test_lambda_cost_keeps_the_signature_the_quiz_engine_calls():
    names = list(inspect.signature(pricing.lambda_cost).parameters)
    assert names[:6] == ["requests", "duration_ms", "memory_mb", "architecture", "free_tier", "init_ms_total"]
    assert isinstance(pricing.lambda_cost(1, 1, 128), float)


def test_lambda_rounds_duration_up_to_the_millisecond_and_bills_init():
    assert pricing.lambda_cost(1000, 1.2, 1024) == pytest.approx(pricing.lambda_cost(1000, 2, 1024))
    assert pricing.lambda_cost(1000, 0.3, 1024) == pytest.approx(pricing.lambda_cost(1000, 1, 1024))
    with_init = pricing.lambda_breakdown(1000, 2, 1024, init_ms_total=500)
    assert with_init.gb_seconds == pytest.approx((1000 * 2 + 500) / 1000)
    assert "INIT" in with_init.notes[0]


def test_arm_is_cheaper_per_gb_second_than_x86():
    x86 = pricing.lambda_cost(10_000_000, 100, 1024, "x86_64")
    arm = pricing.lambda_cost(10_000_000, 100, 1024, "arm64")
    assert arm < x86
    requests_only = pricing.lambda_breakdown(10_000_000, 100, 1024).request_line.total
    ratio = facts.value("lambda.prices.duration_arm64")[0]["price"] / facts.value("lambda.prices.duration_x86_64")[0]["price"]
    assert (arm - requests_only) / (x86 - requests_only) == pytest.approx(ratio)


def test_lambda_duration_tiers_apply_above_6_billion_gb_seconds():
    tiers = facts.value("lambda.prices.duration_x86_64")
    edge = tiers[0]["up_to"]
    cost = pricing.lambda_breakdown(1, 0, 1024, billed_ms_total=(edge + 1e9) * 1000)
    expected = edge * tiers[0]["price"] + 1e9 * tiers[1]["price"]
    assert cost.compute_line.total == pytest.approx(expected)
    # ...and the marginal GB-second above the edge is cheaper than below it.
    assert tiers[1]["price"] < tiers[0]["price"]


# --------------------------------------------------------------------------------------------
# Other services' published examples and billing rules
# --------------------------------------------------------------------------------------------
def test_step_functions_express_example_100_million_workflows_of_10_seconds():
    # AWS Step Functions pricing page: 100M workflows, 10 s, 64 MB -> $100 + $382.97 = $482.97.
    cost = pricing.stepfunctions_cost(100_000_000, "express", duration_ms=10_000, memory_mb=64)
    assert cost.line("Duration").quantity == pytest.approx(17_361.11, abs=0.01)
    assert cents(cost.line("Requests").total) == 100.00
    assert cents(cost.line("Duration").total) == 382.97
    assert cents(cost.total) == 482.97


def test_step_functions_express_memory_is_billed_in_64_mb_chunks():
    # The page's memory example: 50 MB + 50 KB + 400 x 32 KB = 62.85 MB, billed as 64 MB.
    used_mb = 50 + (50 + 32 * 400) / 1024
    a = pricing.stepfunctions_cost(1000, "express", duration_ms=1000, memory_mb=used_mb)
    b = pricing.stepfunctions_cost(1000, "express", duration_ms=1000, memory_mb=64)
    c = pricing.stepfunctions_cost(1000, "express", duration_ms=1000, memory_mb=65)
    assert a.total == b.total < c.total


def test_step_functions_standard_free_transitions():
    cost = pricing.stepfunctions_cost(100_000, "standard", transitions_per_execution=4, free_tier=True)
    billable = 400_000 - facts.value("stepfunctions.free_tier.standard_transitions")
    assert cost.total == pytest.approx(billable * facts.value("stepfunctions.prices.standard_per_thousand_transitions") / 1000)


def test_kinesis_provisioned_example_100_records_a_second_of_35_kb():
    # Kinesis Data Streams pricing page (provisioned mode): 4 shards and 100 records/s of
    # 35 KB (2 PUT payload units each) for a 31-day month: $44.64 + $7.50 = $52.14.
    cost = pricing.kinesis_cost(records=100 * 86_400 * 31, record_kb=35, shards=4, hours=24 * 31)
    assert cents(cost.line("Shard hours").total) == 44.64
    assert cost.line("PUT payload units").quantity == 535_680_000
    assert cents(cost.total) == 52.14


def test_kinesis_put_payload_units_are_25_kb_chunks():
    # "a 5KB record contains one PUT Payload Unit, a 45KB record two, and a 1MB record 40"
    # (the page counts 1 MB as 1,000 KB here).
    units = lambda kb: pricing.kinesis_cost(records=1, record_kb=kb, hours=0).line("PUT payload units").quantity
    assert (units(5), units(45), units(1000)) == (1, 2, 40)


def test_sqs_bills_each_64_kb_chunk_as_a_request():
    # Amazon SQS pricing page: a 256 KB payload is billed as four requests.
    assert pricing.sqs_cost(1, payload_kb=256).lines[0].quantity == 4
    assert pricing.sqs_cost(1, payload_kb=64).lines[0].quantity == 1
    assert pricing.sqs_cost(1, payload_kb=65).lines[0].quantity == 2
    assert pricing.sqs_cost(1_000_000, queue_type="fifo").total > pricing.sqs_cost(1_000_000).total


def test_sqs_free_tier_covers_the_first_million_requests():
    assert pricing.sqs_cost(1_000_000, free_tier=True).total == 0
    assert pricing.sqs_cost(3_000_000, free_tier=True).total == pytest.approx(
        2 * facts.value("sqs.prices.standard_per_million")[0]["price"])


def test_dynamodb_request_units_match_the_pricing_page_key_terms():
    # DynamoDB pricing page, key terms: an 8 KB item is 2 units strongly consistent, 1
    # eventually consistent, 4 transactional; a 3 KB write is 3 units, 6 transactional.
    ru = pricing.dynamodb_request_units
    assert (ru(8, "strong_read"), ru(8, "eventual_read"), ru(8, "transactional_read")) == (2, 1, 4)
    assert (ru(3, "write"), ru(3, "transactional_write")) == (3, 6)
    assert ru(0.1, "eventual_read") == 0.5


def test_dynamodb_on_demand_after_the_november_2024_price_cut():
    cost = pricing.dynamodb_cost(writes=1_000_000, reads=1_000_000, item_kb=1, read_consistency="strong")
    assert cost.line("Write request units").total == pytest.approx(0.625)
    assert cost.line("Read request units").total == pytest.approx(0.125)


def test_dynamodb_provisioned_free_capacity_and_storage():
    hours = facts.value("billing.hours_per_month")
    free = pricing.dynamodb_cost(mode="provisioned", wcu=25, rcu=25, storage_gb=25, free_tier=True)
    assert free.total == pytest.approx(0)
    paid = pricing.dynamodb_cost(mode="provisioned", wcu=100, rcu=100, storage_gb=30, free_tier=True)
    expected = (75 * facts.value("dynamodb.prices.provisioned_wcu_hour")
                + 75 * facts.value("dynamodb.prices.provisioned_rcu_hour")) * hours + 5 * 0.25
    assert paid.total == pytest.approx(expected)


def test_api_gateway_tiers():
    http = pricing.apigateway_cost(400_000_000, "http")
    assert http.total == pytest.approx(300 * 1.00 + 100 * 0.90)
    rest = pricing.apigateway_cost(1_000_000_000, "rest")
    assert rest.total == pytest.approx(333 * 3.50 + 667 * 2.80)
    # HTTP APIs are metered in 512 KB increments.
    assert pricing.apigateway_cost(1, "http", payload_kb=513).lines[0].quantity == 2


def test_twelve_month_offers_only_when_asked():
    assert pricing.apigateway_cost(1_000_000, free_tier=True).total == pytest.approx(1.00)
    assert pricing.apigateway_cost(1_000_000, free_tier="12-month").total == 0
    assert pricing.s3_cost(storage_gb=5, free_tier="12-month").total == 0
    assert pricing.s3_cost(storage_gb=5, free_tier=True).total == pytest.approx(5 * 0.023)


def test_firehose_rounds_records_up_to_5_kb():
    # Data Firehose pricing page: a 3 KB record bills as 5 KB, a 12 KB record as 15 KB.
    gb = lambda kb: pricing.firehose_cost(1024 ** 2, record_kb=kb).lines[0].quantity
    assert (gb(3), gb(12), gb(42)) == (5, 15, 45)


def test_cognito_plans():
    assert pricing.cognito_cost(10_000, "essentials", free_tier=True).total == 0
    assert pricing.cognito_cost(100_000, "essentials", free_tier=True).total == pytest.approx(90_000 * 0.015)
    assert pricing.cognito_cost(1000, "plus", free_tier=True).total == pytest.approx(1000 * 0.020)
    # Lite: 10k free, 90k at $0.0055, then $0.0046 (the page's example bills 850,000 MAUs at it).
    lite = pricing.cognito_cost(950_000, "lite", free_tier=True)
    assert lite.total == pytest.approx(90_000 * 0.0055 + 850_000 * 0.0046)


def test_cloudwatch_lambda_logs_tiers():
    # The May 2025 tiers as The Duckbill Group worked them: 60 TB of Lambda logs cost $12,500
    # instead of $30,000 (with 1,000 GB terabytes; the facts file counts 1,024).
    cost = pricing.cloudwatch_logs_cost(60 * 1024, source="lambda")
    assert cost.total == pytest.approx(12_500 * 1.024)
    assert pricing.cloudwatch_logs_cost(60 * 1024, source="custom").total == pytest.approx(30_000 * 1.024)


def test_fargate_and_ec2_bill_all_month():
    hours = facts.value("billing.hours_per_month")
    assert pricing.fargate_cost(1, 2).total == pytest.approx(hours * (0.04048 + 2 * 0.004445))
    assert pricing.fargate_cost(1, 2, architecture="arm64").total < pricing.fargate_cost(1, 2).total
    assert pricing.ec2_cost("t3.large").total == pytest.approx(hours * 0.0832)
    assert pricing.ec2_cost("t3.micro", free_tier="12-month").total == 0
    assert "m7g.large" in pricing.ec2_instance_types()


# --------------------------------------------------------------------------------------------
# One account-month: free tier and tiers shared across components
# --------------------------------------------------------------------------------------------
def test_components_share_one_free_tier():
    one = {"service": "lambda", "requests": 1_000_000, "duration_ms": 100, "memory_mb": 128}
    estimate = pricing.monthly_estimate([dict(one, name="a"), dict(one, name="b")], free_tier=True)
    first, second = estimate.components
    assert first.request_line.total == 0
    assert second.request_line.total == pytest.approx(0.20)
    assert estimate.total == pytest.approx(first.total + second.total)
    assert estimate.gross - estimate.free == pytest.approx(estimate.total)


def test_volume_tiers_continue_across_components():
    half = {"service": "sqs", "requests": 60e9}
    estimate = pricing.monthly_estimate([half, half])
    tiers = facts.value("sqs.prices.standard_per_million")
    assert estimate.components[0].total == pytest.approx(60e3 * tiers[0]["price"])
    assert estimate.components[1].total == pytest.approx(40e3 * tiers[0]["price"] + 20e3 * tiers[1]["price"])


def test_monthly_estimate_accepts_a_mapping_and_renders():
    estimate = pricing.monthly_estimate({
        "orders API": {"service": "apigateway", "requests": 3_000_000},
        "orders": {"service": "lambda", "requests": 3_000_000, "duration_ms": 120, "memory_mb": 512},
    }, free_tier=True)
    assert [c.label for c in estimate.components] == ["orders API", "orders"]
    text = estimate._repr_markdown_()
    assert "orders API" in text and pricing.format_usd(estimate.total) in text
    assert set(estimate.by_service()) == {"apigateway", "lambda"}
    assert sum(r["total"] for r in estimate.rows()) == pytest.approx(estimate.total)


# --------------------------------------------------------------------------------------------
# Clear messages for bad input
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: pricing.lambda_cost(-1, 100, 128), "requests cannot be negative, got -1"),
    (lambda: pricing.lambda_cost(1, -5, 128), "duration_ms cannot be negative"),
    (lambda: pricing.lambda_cost(1, 100, 64), "memory_mb must be between 128 and 10,240 MB"),
    (lambda: pricing.lambda_cost(1, 100, 20_000), "memory_mb must be between 128 and 10,240 MB"),
    (lambda: pricing.lambda_cost(1, 100, 128.5), "1 MB steps"),
    (lambda: pricing.lambda_cost(1, 100, 128, "arm"), "'arm64'.*Arm/Graviton"),
    (lambda: pricing.lambda_cost(1, 100, 128, "x86"), "x86_64"),
    (lambda: pricing.lambda_cost(float("nan"), 100, 128), "finite"),
    (lambda: pricing.lambda_cost("10", 100, 128), "must be a number"),
    (lambda: pricing.lambda_breakdown(1, 1, 128, region="eu-west-1"), "Only us-east-1 is priced"),
    (lambda: pricing.sqs_cost(1, queue_type="priority"), "queue_type must be one of 'standard', 'fifo'"),
    (lambda: pricing.ec2_cost("t2.nano"), "instance_type must be one of"),
    (lambda: pricing.lambda_provisioned_cost(1, 128, 1, architecture="arm64"), "x86_64 only"),
    (lambda: pricing.monthly_estimate([{"service": "lightsail"}]), "Unknown service 'lightsail'"),
    (lambda: pricing.monthly_estimate([{"service": "sqs", "requets": 5}]), "unknown usage field.*'requets'"),
    (lambda: pricing.monthly_estimate([{"service": "lambda", "requests": 5}]), "missing usage field.*duration_ms"),
    (lambda: pricing.monthly_estimate([]), "no components"),
    (lambda: pricing.BillingMonth(free_tier="yes"), "free_tier must be"),
])
def test_bad_input_says_what_is_wrong(call, message):
    with pytest.raises(PricingInputError, match=message):
        call()


def test_pricing_input_error_is_a_value_error():
    assert issubclass(PricingInputError, ValueError)


def test_memory_limits_come_from_the_facts_file():
    assert pricing.lambda_cost(1, 1, facts.value("lambda.limits.memory_min_mb")) > 0
    assert pricing.lambda_cost(1, 1, facts.value("lambda.limits.memory_max_mb")) > 0


def test_no_price_is_typed_into_the_code():
    """Every price comes from facts.yaml: pricing.py holds no fractional constant but 0.5
    (half a read unit), outside the dollar formatter's display thresholds."""
    tree = ast.parse(Path(pricing.__file__).read_text())
    formatter = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "format_usd")
    tree.body.remove(formatter)
    numbers = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
               and isinstance(n.value, float) and not isinstance(n.value, bool)}
    suspicious = {x for x in numbers if x != int(x) and x != 0.5}
    assert suspicious == set()


def test_format_usd_shows_the_precision_an_amount_needs():
    assert pricing.format_usd(1234.567) == "$1,234.57"
    assert pricing.format_usd(0.0123) == "$0.0123"
    assert pricing.format_usd(0.00000084) == "$0.00000084"
    assert pricing.format_usd(-0.2) == "-$0.20"


def test_lambda_vcpus_follow_memory():
    assert pricing.lambda_vcpus(1769) == pytest.approx(1.0)
    assert pricing.lambda_vcpus(10240) == pytest.approx(10240 / 1769)
    assert pricing.lambda_vcpus(10240) <= facts.value("lambda.limits.vcpus_max")
    assert pricing.lambda_vcpus(128) == pytest.approx(128 / 1769)
    assert math.isclose(pricing.lambda_vcpus(3538), 2.0)
