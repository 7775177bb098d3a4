"""moto's own event wirings reach real handler code through the hook (no Docker)."""

from __future__ import annotations

import json

import moto

from course_lib.runtime import deploy_function, hook, quiet

RECORDER = """
import json, boto3
table = boto3.resource("dynamodb").Table("seen")

def handler(event, context):
    for record in event["Records"]:
        source = record.get("eventSource") or record.get("EventSource")
        table.put_item(Item={"pk": context.aws_request_id, "source": source, "raw": json.dumps(record)})
    return {"ok": True}
"""


def _function_arn(aws, name):
    return aws.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def _seen(aws):
    return aws.resource("dynamodb").Table("seen").scan()["Items"]


def test_moto_is_the_pinned_version_and_calls_the_hook(aws):
    # The hook patches private moto API: an upgrade must be a deliberate, tested change.
    assert moto.__version__ == "5.2.5"
    assert hook.is_installed()
    deploy_function("probe", "def handler(e, c):\n    return 'ran'\n")
    before = hook.calls()
    body = aws.client("lambda").invoke(FunctionName="probe")["Payload"].read()
    assert json.loads(body) == "ran" and hook.calls() == before + 1


def test_s3_notification_runs_the_handler(aws):
    aws.ensure_table("seen")
    deploy_function("on-upload", RECORDER)
    aws.ensure_bucket("uploads-bucket")
    s3 = aws.client("s3")
    s3.put_bucket_notification_configuration(
        Bucket="uploads-bucket",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": _function_arn(aws, "on-upload"), "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    before = hook.calls()
    with quiet():
        s3.put_object(Bucket="uploads-bucket", Key="photo.jpg", Body=b"bytes")
    items = _seen(aws)
    assert hook.calls() > before
    assert [i["source"] for i in items] == ["aws:s3"]
    assert json.loads(items[0]["raw"])["s3"]["object"]["key"] == "photo.jpg"


def test_sqs_event_source_mapping_runs_the_handler(aws):
    aws.ensure_table("seen")
    deploy_function("on-message", RECORDER)
    url = aws.ensure_queue("jobs")
    sqs = aws.client("sqs")
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.client("lambda").create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="on-message")
    with quiet():
        sqs.send_message(QueueUrl=url, MessageBody="job-1")
    items = _seen(aws)
    assert [i["source"] for i in items] == ["aws:sqs"]
    assert json.loads(items[0]["raw"])["body"] == "job-1"


def test_step_functions_task_runs_the_handler_on_its_own_thread(aws):
    import time

    deploy_function("double", "import threading\ndef handler(e, c):\n    return {'n': e['n'] * 2, 'thread': threading.current_thread().name}\n")
    definition = {
        "StartAt": "Double",
        "States": {"Double": {"Type": "Task", "Resource": _function_arn(aws, "double"), "End": True}},
    }
    role = aws.ensure_role("sfn-role", service="states.amazonaws.com")
    sfn = aws.client("stepfunctions")
    machine = sfn.create_state_machine(name="doubler", definition=json.dumps(definition), roleArn=role)
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="run-1", input='{"n": 21}')
    deadline = time.monotonic() + 20
    while True:
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["n"] == 42 and output["thread"] != "MainThread"
