"""The cost meter on real sandbox runs: REPORT lines, counted requests, stored data, projections."""

from __future__ import annotations

import pytest

from course_lib import facts, pricing
from course_lib.meter import Meter, ddb_item_bytes, record_api_request

HANDLER = "def handler(event, context):\n    return sum(range(20000))\n"


def test_dynamodb_item_size_follows_aws_rules():
    assert ddb_item_bytes({"pk": {"S": "a"}}) == 3                  # name 2 + value 1
    assert ddb_item_bytes({"n": {"N": "12345"}}) == 1 + 4           # 5 digits -> 3 + 1 bytes
    assert ddb_item_bytes({"ok": {"BOOL": True}, "z": {"NULL": True}}) == 2 + 1 + 1 + 1
    assert ddb_item_bytes({"data": {"S": "é" * 10}}) == 4 + 20       # UTF-8 bytes, not characters
    assert ddb_item_bytes(None) == 0


def test_meter_prices_a_real_lambda_run_from_its_report_lines(aws):
    from course_lib.runtime import deploy_function, invoke, reports

    deploy_function("metered", HANDLER, memory_mb=512)
    with Meter(aws) as meter:
        results = [invoke("metered", {"i": i}) for i in range(3)]
        usage = meter.usage()

    (fn,) = usage.functions
    assert fn.name == "metered"
    assert fn.invocations == 3
    assert fn.memory_mb == 512
    assert fn.architecture == "x86_64"
    assert fn.cold_starts == 1 == sum(r.cold_start for r in results)
    assert fn.billed_ms_total == sum(r.billed_ms for r in reports("metered")) == sum(r.report.billed_ms for r in results)

    estimate = usage.cost()
    lam = estimate.components[0]
    expected = pricing.lambda_breakdown(3, 1, 512, billed_ms_total=fn.billed_ms_total)
    assert lam.total == pytest.approx(expected.total)
    assert lam.request_line.quantity == 3
    assert estimate.total == pytest.approx(sum(c.total for c in estimate.components))


def test_meter_counts_requests_with_aws_billing_units(aws):
    queue = aws.ensure_queue("orders")
    fifo = aws.ensure_queue("orders.fifo")
    aws.ensure_bucket("meter-bucket")
    aws.ensure_table("meter-table")
    topic = aws.ensure_topic("news")
    sqs, s3, ddb, sns = (aws.client(s) for s in ("sqs", "s3", "dynamodb", "sns"))
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=sqs.get_queue_attributes(
        QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])

    with Meter(aws) as meter:
        sqs.send_message(QueueUrl=queue, MessageBody="x" * 100 * 1024)     # 100 KB: 2 chunks
        sqs.receive_message(QueueUrl=queue)                                 # one message back: 2 chunks
        sqs.send_message(QueueUrl=fifo, MessageBody="y", MessageGroupId="g", MessageDeduplicationId="1")
        s3.put_object(Bucket="meter-bucket", Key="a.txt", Body=b"z" * 2048)
        s3.get_object(Bucket="meter-bucket", Key="a.txt")
        s3.delete_object(Bucket="meter-bucket", Key="missing.txt")          # DELETE is free
        ddb.put_item(TableName="meter-table", Item={"pk": {"S": "k"}, "blob": {"S": "b" * 2500}})  # 3 WRU
        ddb.get_item(TableName="meter-table", Key={"pk": {"S": "k"}})       # eventual: 0.5 RRU
        ddb.get_item(TableName="meter-table", Key={"pk": {"S": "k"}}, ConsistentRead=True)  # 1 RRU
        sns.publish(TopicArn=topic, Message="hello")
        record_api_request("http", count=5)
        usage = meter.usage()

    u = usage.units
    assert u["sqs.standard_requests"] == 2 + 2    # SNS -> SQS delivery is not an SQS API request
    assert u["sqs.fifo_requests"] == 1
    assert (u["s3.put_requests"], u["s3.get_requests"]) == (1, 1)
    assert (u["dynamodb.wru"], u["dynamodb.rru"]) == (3, 1.5)
    assert (u["sns.publishes"], u["sns.sqs_deliveries"]) == (1, 1)
    assert u["apigateway.http_requests"] == 5
    assert usage.api_calls["s3:DeleteObject"] == 1
    assert usage.storage_gb["s3"] == pytest.approx(2048 / 1024 ** 3)
    assert usage.storage_gb["dynamodb"] > 2500 / 1024 ** 3
    # The meter's own reads (list buckets, scans, log queries) are not the learner's requests.
    assert "s3:ListBuckets" not in usage.api_calls and "dynamodb:Scan" not in usage.api_calls

    services = {c["service"] for c in usage.components()}
    assert {"sqs", "s3", "dynamodb", "sns", "apigateway"} <= services
    assert usage.cost().total > 0


def test_projection_scales_per_user_usage(aws):
    from course_lib.runtime import deploy_function, invoke

    deploy_function("per-user", HANDLER, memory_mb=256)
    queue = aws.ensure_queue("jobs")
    with Meter(aws) as meter:
        for i in range(2):                                   # the run served 2 users
            invoke("per-user", {"user": i})
            aws.client("sqs").send_message(QueueUrl=queue, MessageBody="job")
        usage = meter.usage()

    month = usage.projected(users=1_000_000, users_in_run=2, free_tier=False)
    lam = next(c for c in month.components if c.service == "lambda")
    sqs = next(c for c in month.components if c.service == "sqs")
    assert lam.request_line.quantity == pytest.approx(1_000_000)
    assert lam.gb_seconds == pytest.approx(usage.functions[0].gb_seconds * 500_000)
    assert sqs.lines[0].quantity == pytest.approx(1_000_000)
    with_free = usage.projected(users=1_000_000, users_in_run=2)
    assert with_free.total < month.total
    with pytest.raises(pricing.PricingInputError, match="users_in_run"):
        usage.projected(users=10, users_in_run=0)


def test_a_stopped_meter_records_nothing_more(aws):
    queue = aws.ensure_queue("quiet")
    meter = Meter(aws)
    aws.client("sqs").send_message(QueueUrl=queue, MessageBody="counted")
    meter.stop()
    aws.client("sqs").send_message(QueueUrl=queue, MessageBody="not counted")
    assert meter.usage().api_calls == {"sqs:SendMessage": 1}


def test_reset_measures_from_now_and_empty_usage_says_so(aws):
    queue = aws.ensure_queue("setup")
    with Meter(aws) as meter:
        aws.client("sqs").send_message(QueueUrl=queue, MessageBody="setup traffic")
        meter.reset()
        usage = meter.usage()
    assert usage.api_calls == {}
    with pytest.raises(pricing.PricingInputError, match="no billable usage"):
        usage.cost()
    assert "Metered usage" in usage._repr_markdown_()


def test_kinesis_streams_bill_shard_hours_for_the_time_they_run(aws):
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=2)
    with Meter(aws) as meter:
        kinesis.put_record(StreamName="clicks", Data=b"x" * 30 * 1024, PartitionKey="p")  # 2 units
        usage = meter.usage()
    (stream,) = usage.kinesis_streams
    assert (stream["shards"], stream["payload_units"]) == (2, 2)
    month = usage.at_scale(1)
    shard_line = next(c for c in month.components if c.service == "kinesis").line("Shard hours")
    assert shard_line.quantity == 2 * facts.value("billing.hours_per_month")
