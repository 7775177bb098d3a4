"""SQS as AWS behaves where moto 5.2.5 does not: limits, retention, long polling, DLQ redrive."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from course_lib import clock, facts, sqs_fidelity


@pytest.fixture
def sqs(aws):  # type: ignore[no-untyped-def]
    sqs_fidelity.install()
    return aws.client("sqs")


def _arn(sqs, url: str) -> str:  # type: ignore[no-untyped-def]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _waiting(sqs, url: str) -> int:  # type: ignore[no-untyped-def]
    return int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
        "ApproximateNumberOfMessages"])


@pytest.mark.parametrize(("name", "bad", "good"), [
    ("MessageRetentionPeriod", facts.value("sqs.limits.retention_min_s") - 1, facts.value("sqs.limits.retention_min_s")),
    ("MessageRetentionPeriod", facts.value("sqs.limits.retention_max_s") + 1, facts.value("sqs.limits.retention_max_s")),
    ("VisibilityTimeout", facts.value("sqs.limits.visibility_timeout_max_s") + 1, 0),
    ("DelaySeconds", facts.value("sqs.limits.delay_max_s") + 1, facts.value("sqs.limits.delay_max_s")),
    ("ReceiveMessageWaitTimeSeconds", facts.value("sqs.limits.long_poll_max_wait_s") + 1, 20),
])
def test_attribute_ranges_are_enforced_on_create_and_set(sqs, name, bad, good) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as error:
        sqs.create_queue(QueueName="limits", Attributes={name: str(bad)})
    assert error.value.response["Error"]["Code"] == "InvalidAttributeValue"
    assert name in error.value.response["Error"]["Message"]
    url = sqs.create_queue(QueueName="limits", Attributes={name: str(good)})["QueueUrl"]
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={name: str(bad)})


def test_max_receive_count_must_be_in_range(sqs) -> None:  # type: ignore[no-untyped-def]
    dlq = _arn(sqs, sqs.create_queue(QueueName="dlq")["QueueUrl"])
    with pytest.raises(ClientError) as error:
        sqs.create_queue(QueueName="src", Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq, "maxReceiveCount": 0})})
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "valid values are from 1 to 1000" in error.value.response["Error"]["Message"]


def test_messages_older_than_the_retention_period_are_deleted(sqs) -> None:  # type: ignore[no-untyped-def]
    url = sqs.create_queue(QueueName="brief", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    clock.advance(seconds=30)
    sqs.send_message(QueueUrl=url, MessageBody="young")
    assert _waiting(sqs, url) == 2
    clock.advance(seconds=31)
    assert _waiting(sqs, url) == 1
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == ["young"]


def test_a_long_poll_waits_on_the_course_clock_not_the_wall_clock(sqs, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    started, wall = clock.time(), time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    assert clock.time() - started == pytest.approx(20, abs=0.5)
    assert time.monotonic() - wall < 10  # moto alone would have blocked for 20 real seconds (margin for a loaded machine)

    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=7)
    started = clock.time()
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"]
    assert [m["Body"] for m in got] == ["later"]
    assert clock.time() - started == pytest.approx(7, abs=0.5)


def test_a_long_poll_returns_when_a_scheduled_timer_sends_a_message(sqs, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    url = sqs.create_queue(QueueName="fed-by-timer")["QueueUrl"]
    client = sqs
    clock.call_later(5, lambda: client.send_message(QueueUrl=url, MessageBody="from a timer"))
    started = clock.time()
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"]
    assert [m["Body"] for m in got] == ["from a timer"]
    assert clock.time() - started == pytest.approx(5, abs=0.5)


def test_the_queue_wait_time_attribute_turns_long_polling_on(sqs, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    url = sqs.create_queue(QueueName="patient", Attributes={"ReceiveMessageWaitTimeSeconds": "10"})["QueueUrl"]
    started = clock.time()
    sqs.receive_message(QueueUrl=url)
    assert clock.time() - started == pytest.approx(10, abs=0.5)


def test_dead_letter_redrive_moves_messages_back_to_their_source(sqs) -> None:  # type: ignore[no-untyped-def]
    dlq_url = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    dlq_arn = _arn(sqs, dlq_url)
    url = sqs.create_queue(QueueName="work", Attributes={
        "VisibilityTimeout": "5", "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(3):
        sqs.receive_message(QueueUrl=url)
        clock.advance(seconds=6)
    assert (_waiting(sqs, url), _waiting(sqs, dlq_url)) == (0, 1)

    with pytest.raises(ClientError) as error:
        sqs.start_message_move_task(SourceArn=_arn(sqs, url))  # not a dead-letter queue
    assert "Dead Letter Queue" in error.value.response["Error"]["Message"]

    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    clock.settle()
    (task,) = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert task["TaskHandle"] == handle and task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == task["ApproximateNumberOfMessagesToMove"] == 1
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in got] == [("poison", "1")]


def test_a_move_task_honours_its_rate_and_can_be_cancelled(sqs) -> None:  # type: ignore[no-untyped-def]
    dlq_url = sqs.create_queue(QueueName="slow-dlq")["QueueUrl"]
    dlq_arn = _arn(sqs, dlq_url)
    sqs.create_queue(QueueName="slow", Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})})
    target = sqs.create_queue(QueueName="elsewhere")["QueueUrl"]
    for n in range(5):
        sqs.send_message(QueueUrl=dlq_url, MessageBody=f"m{n}")
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=_arn(sqs, target), MaxNumberOfMessagesPerSecond=2)["TaskHandle"]
    clock.settle()
    assert _waiting(sqs, target) == 2
    clock.advance(seconds=1)
    assert _waiting(sqs, target) == 4
    assert sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"] == 4
    clock.advance(seconds=5)
    assert (_waiting(sqs, target), _waiting(sqs, dlq_url)) == (4, 1)
    assert sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]["Status"] == "CANCELLED"


def test_attribute_problems_names_what_aws_rejects() -> None:
    assert sqs_fidelity.attribute_problems({"VisibilityTimeout": "30", "DelaySeconds": "0"}) == []
    codes = [code for code, _, _ in sqs_fidelity.attribute_problems({"MessageRetentionPeriod": "10", "DelaySeconds": "x"})]
    assert codes == ["InvalidAttributeValue", "InvalidAttributeValue"]
