"""SQS event source mappings: batches, windows, partial failures, visibility, DLQ, real records."""

from __future__ import annotations

import hashlib
import json

from wiring_support import RECORDER, assert_aws_shape, events_of, queue_arn

from course_lib import clock
from course_lib.runtime import deploy_function, quiet

PARTIAL = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    failed = [r["messageId"] for r in event["Records"] if r["body"].startswith("bad")]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}
"""


def _mapping(aws, url, function, **options):
    aws.client("lambda").create_event_source_mapping(EventSourceArn=queue_arn(aws, url), FunctionName=function, **options)


def _send_batch(aws, url, bodies, **extra):
    entries = [{"Id": str(i), "MessageBody": body, **extra} for i, body in enumerate(bodies)]
    with quiet():
        for start in range(0, len(entries), 10):
            aws.client("sqs").send_message_batch(QueueUrl=url, Entries=entries[start:start + 10])


def test_a_batch_arrives_as_one_event_with_real_records(aws, invocations):
    deploy_function("consumer", RECORDER)
    url = aws.ensure_queue("orders")
    _mapping(aws, url, "consumer", BatchSize=10)
    attributes = {"kind": {"DataType": "String", "StringValue": "order"}}
    sqs = aws.client("sqs")
    with quiet():
        sent = sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "MessageBody": f"order-{i}", "MessageAttributes": attributes} for i in range(4)])
    (event,) = events_of(invocations, "consumer")  # one invocation for the whole batch
    assert_aws_shape(event, "sqs")
    records = event["Records"]
    assert [r["body"] for r in records] == [f"order-{i}" for i in range(4)]
    by_id = {entry["MessageId"]: entry for entry in sent["Successful"]}
    for record in records:
        assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()  # noqa: S324
        assert record["md5OfMessageAttributes"] == by_id[record["messageId"]]["MD5OfMessageAttributes"]
        assert record["messageAttributes"]["kind"]["stringValue"] == "order"
        assert record["attributes"]["ApproximateReceiveCount"] == "1"
        assert abs(int(record["attributes"]["SentTimestamp"]) / 1000 - clock.time()) < 5
        assert record["eventSourceARN"] == queue_arn(aws, url)
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_batch_size_splits_and_window_waits_on_the_course_clock(aws, invocations):
    deploy_function("consumer", RECORDER)
    url = aws.ensure_queue("clicks")
    _mapping(aws, url, "consumer", BatchSize=10, MaximumBatchingWindowInSeconds=20)
    _send_batch(aws, url, [f"c{i}" for i in range(3)])
    assert events_of(invocations, "consumer") == []  # not full: waiting for the window
    clock.advance(seconds=19)
    assert events_of(invocations, "consumer") == []
    clock.advance(seconds=1)
    assert [len(e["Records"]) for e in events_of(invocations, "consumer")] == [3]
    _send_batch(aws, url, [f"d{i}" for i in range(25)])  # full batches do not wait
    sizes = [len(e["Records"]) for e in events_of(invocations, "consumer")][1:]
    clock.advance(seconds=20)
    sizes_after = [len(e["Records"]) for e in events_of(invocations, "consumer")][1:]
    assert sum(sizes_after) == 25 and max(sizes_after) == 10 and sum(sizes) >= 20


def test_partial_batch_failure_visibility_timeout_and_dlq(aws, invocations):
    deploy_function("consumer", PARTIAL)
    dlq = aws.ensure_queue("payments-dlq")
    redrive = json.dumps({"deadLetterTargetArn": queue_arn(aws, dlq), "maxReceiveCount": 2})
    url = aws.ensure_queue("payments", VisibilityTimeout="30", RedrivePolicy=redrive)
    _mapping(aws, url, "consumer", BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"])
    _send_batch(aws, url, ["ok-1", "bad-2", "ok-3"])
    first = events_of(invocations, "consumer")[0]
    assert len(first["Records"]) == 3
    clock.advance(seconds=29)
    assert len(events_of(invocations, "consumer")) == 1  # still invisible
    clock.advance(seconds=1)
    second = events_of(invocations, "consumer")[1]
    assert [r["body"] for r in second["Records"]] == ["bad-2"]  # only the failed message came back
    assert second["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"
    clock.advance(seconds=30)
    assert len(events_of(invocations, "consumer")) == 2  # maxReceiveCount reached: moved, not retried
    moved = aws.client("sqs").receive_message(QueueUrl=dlq)["Messages"]
    assert [m["Body"] for m in moved] == ["bad-2"]


def test_errors_and_malformed_responses_fail_the_whole_batch(aws, invocations):
    deploy_function("consumer", "def handler(event, context):\n    return {'batchItemFailures': [{'itemIdentifier': 'nope'}]}\n")
    url = aws.ensure_queue("jobs", VisibilityTimeout="10")
    _mapping(aws, url, "consumer", FunctionResponseTypes=["ReportBatchItemFailures"])
    _send_batch(aws, url, ["a", "b"])
    clock.advance(seconds=10)
    batches = [i for i in invocations if i.function_name == "consumer"]
    assert len(batches) == 2  # an unknown itemIdentifier fails every message: both came back
    deploy_function("consumer", "def handler(event, context):\n    raise ValueError('down')\n")
    clock.advance(seconds=10)
    assert len([i for i in invocations if i.function_name == "consumer"]) == 3
    attributes = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "2"


def test_without_report_batch_item_failures_a_response_is_ignored(aws, invocations):
    deploy_function("consumer", PARTIAL)
    url = aws.ensure_queue("plain", VisibilityTimeout="5")
    _mapping(aws, url, "consumer")
    _send_batch(aws, url, ["bad-1"])
    clock.advance(seconds=10)
    assert len(events_of(invocations, "consumer")) == 1  # success: deleted despite the list


def test_fifo_records_and_filter_criteria(aws, invocations):
    deploy_function("consumer", RECORDER)
    url = aws.ensure_queue("orders.fifo", ContentBasedDeduplication="true")
    _mapping(aws, url, "consumer", FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"type": ["paid"]}})}]})
    _send_batch(aws, url, [json.dumps({"type": "paid", "id": 1}), json.dumps({"type": "cart", "id": 2})],
                MessageGroupId="customer-1")
    (event,) = events_of(invocations, "consumer")
    (record,) = event["Records"]
    assert json.loads(record["body"])["id"] == 1
    assert record["attributes"]["MessageGroupId"] == "customer-1"
    assert record["attributes"]["SequenceNumber"] and record["attributes"]["MessageDeduplicationId"]
    # The filtered-out message was deleted, not left in the queue.
    assert aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"][
        "ApproximateNumberOfMessages"] == "0"


def test_mapping_created_after_messages_drains_them(aws, invocations):
    deploy_function("consumer", RECORDER)
    url = aws.ensure_queue("backlog")
    _send_batch(aws, url, ["early-1", "early-2"])
    _mapping(aws, url, "consumer")
    assert [r["body"] for r in events_of(invocations, "consumer")[0]["Records"]] == ["early-1", "early-2"]
