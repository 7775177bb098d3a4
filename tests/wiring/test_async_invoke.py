"""InvocationType=Event: 202 at once, runs later, retries on the course clock, destinations, DLQ."""

from __future__ import annotations

import json

from wiring_support import RECORDER, arn_of, events_of, queue_arn

from course_lib import clock
from course_lib.runtime import deploy_function, quiet
from course_lib.wiring import async_invoke

FAILING = """
def handler(event, context):
    raise RuntimeError("card declined for " + str(event.get("order")))
"""


def _receive(aws, url):
    return aws.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                             MessageAttributeNames=["All"]).get("Messages", [])


def test_event_invoke_returns_202_before_the_handler_runs(aws, invocations):
    deploy_function("worker", RECORDER)
    with clock.CLOCK.paused():  # hold the background worker so we can look before it runs
        response = aws.client("lambda").invoke(FunctionName="worker", InvocationType="Event", Payload=b'{"n": 1}')
        assert response["StatusCode"] == 202 and response["Payload"].read() == b""
        assert events_of(invocations, "worker") == []
    clock.settle()
    assert events_of(invocations, "worker") == [{"n": 1}]
    # The id the 202 carried is the id the invocation ran (and logged) with.
    assert invocations[-1].request_id == response["ResponseMetadata"]["RequestId"]


def test_failures_retry_twice_one_then_two_minutes_later(aws, invocations, frozen_clock):
    deploy_function("charge", FAILING)
    aws.client("lambda").invoke(FunctionName="charge", InvocationType="Event", Payload=b'{"order": 7}')
    clock.settle()
    (request,) = async_invoke.history("charge")
    assert len(request.attempts) == 1 and request.outcome == "queued"
    assert clock.advance(seconds=59).fired == []  # nothing before the minute is up
    clock.advance(seconds=1)
    assert len(request.attempts) == 2
    clock.advance(minutes=2)
    offsets = [round(a.at - request.enqueued) for a in request.attempts]
    assert offsets == [0, 60, 180] and request.outcome == "failed"
    assert {a.request_id for a in request.attempts} == {request.request_id}  # one request id throughout
    assert clock.advance(hours=1).invocations == []  # no fourth attempt


def test_on_failure_destination_and_dead_letter_queue(aws):
    deploy_function("charge", FAILING)
    failures = aws.ensure_queue("charge-failures")
    dead = aws.ensure_queue("charge-dlq")
    lam = aws.client("lambda")
    lam.update_function_configuration(FunctionName="charge", DeadLetterConfig={"TargetArn": queue_arn(aws, dead)})
    assert lam.get_function_configuration(FunctionName="charge")["DeadLetterConfig"]["TargetArn"].endswith("charge-dlq")
    lam.put_function_event_invoke_config(FunctionName="charge", MaximumRetryAttempts=1,
                                         DestinationConfig={"OnFailure": {"Destination": queue_arn(aws, failures)}})
    lam.invoke(FunctionName="charge", InvocationType="Event", Payload=b'{"order": 9}')
    clock.settle()
    clock.advance(minutes=5)
    (record_message,) = _receive(aws, failures)
    record = json.loads(record_message["Body"])
    assert record["version"] == "1.0" and record["requestPayload"] == {"order": 9}
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "card declined for 9"
    (dead_message,) = _receive(aws, dead)
    assert json.loads(dead_message["Body"]) == {"order": 9}
    attributes = dead_message["MessageAttributes"]
    assert attributes["ErrorMessage"]["StringValue"] == "card declined for 9"
    assert attributes["RequestID"]["StringValue"] == record["requestContext"]["requestId"]


def test_on_success_destinations_lambda_and_eventbridge(aws, invocations):
    deploy_function("ok", "def handler(event, context):\n    return {'done': event['n']}\n")
    deploy_function("audit", RECORDER)
    lam = aws.client("lambda")
    lam.put_function_event_invoke_config(FunctionName="ok",
                                         DestinationConfig={"OnSuccess": {"Destination": arn_of(aws, "audit")}})
    with quiet():
        lam.invoke(FunctionName="ok", InvocationType="Event", Payload=b'{"n": 3}')
        clock.settle()
    (record,) = events_of(invocations, "audit")
    assert record["requestContext"]["condition"] == "Success" and record["responsePayload"] == {"done": 3}
    # To an EventBridge bus: a "Lambda Function Invocation Result - Success" event a rule can match.
    events = aws.client("events")
    bus_arn = events.describe_event_bus(Name="default")["Arn"]
    events.put_rule(Name="results", EventPattern=json.dumps({"source": ["lambda"]}))
    events.put_targets(Rule="results", Targets=[{"Id": "audit", "Arn": arn_of(aws, "audit")}])
    lam.put_function_event_invoke_config(FunctionName="ok", DestinationConfig={"OnSuccess": {"Destination": bus_arn}})
    with quiet():
        lam.invoke(FunctionName="ok", InvocationType="Event", Payload=b'{"n": 4}')
        clock.settle()
    event = events_of(invocations, "audit")[-1]
    assert event["detail-type"] == "Lambda Function Invocation Result - Success"
    assert event["detail"]["responsePayload"] == {"done": 4}


def test_zero_retries_and_event_age(aws):
    deploy_function("charge", FAILING)
    lam = aws.client("lambda")
    lam.put_function_event_invoke_config(FunctionName="charge", MaximumRetryAttempts=0)
    lam.invoke(FunctionName="charge", InvocationType="Event", Payload=b"{}")
    clock.settle()
    assert async_invoke.history("charge")[0].outcome == "failed"
    lam.update_function_event_invoke_config(FunctionName="charge", MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60)
    assert lam.get_function_event_invoke_config(FunctionName="charge")["MaximumEventAgeInSeconds"] == 60
    lam.invoke(FunctionName="charge", InvocationType="Event", Payload=b"{}")
    clock.settle()
    clock.advance(minutes=5)
    request = async_invoke.history("charge")[-1]
    assert request.outcome == "expired" and len(request.attempts) == 1  # the retry came after 60 s


def test_dry_run_runs_nothing(aws, invocations):
    deploy_function("worker", RECORDER)
    response = aws.client("lambda").invoke(FunctionName="worker", InvocationType="DryRun")
    clock.settle()
    assert response["StatusCode"] == 204 and invocations == []
