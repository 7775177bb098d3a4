"""Build-it checks for chapter 06 (SQS): a queue that triggers a function in batches.

``sqs_lambda_trigger`` looks at what the learner built, the way a reviewer would: the queue,
the function, and the event source mapping between them with its batch size, batching window
and partial batch responses (``ReportBatchItemFailures``). A FIFO queue with a dead-letter
queue is checked by ``sqs_queue`` in ``course_lib/quiz/checks.py``.
"""

from __future__ import annotations

from typing import Any

from course_lib.quiz.checks import CheckItem, _near, _role_arn, _zip, build_check

REPORT = "ReportBatchItemFailures"


def _solve(sandbox: Any, queue: str, function: str, batch_size: int | None = None,
           report_batch_item_failures: bool | None = None, batching_window_s: int | None = None) -> None:
    sqs, lam = sandbox.client("sqs"), sandbox.client("lambda")
    url = sqs.create_queue(QueueName=queue, Attributes={"FifoQueue": "true"} if queue.endswith(".fifo") else {})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_function(
        FunctionName=function, Runtime="python3.13", Role=_role_arn(sandbox), Handler="app.handler",
        Code={"ZipFile": _zip("def handler(event, context):\n    return {'batchItemFailures': []}\n")},
    )
    options: dict[str, Any] = {"BatchSize": batch_size or 10}
    if report_batch_item_failures:
        options["FunctionResponseTypes"] = [REPORT]
    if batching_window_s is not None:
        options["MaximumBatchingWindowInSeconds"] = batching_window_s
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=function, **options)


@build_check("sqs_lambda_trigger", solve=_solve)
def sqs_lambda_trigger(sandbox: Any, queue: str, function: str, batch_size: int | None = None,
                       report_batch_item_failures: bool | None = None,
                       batching_window_s: int | None = None) -> list[CheckItem]:
    """An SQS queue that invokes a function through an event source mapping."""
    sqs, lam = sandbox.client("sqs"), sandbox.client("lambda")
    try:
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        names = [u.rsplit("/", 1)[-1] for u in sqs.list_queues().get("QueueUrls", [])]
        return [CheckItem(False, f"queue {queue} not found in the sandbox{_near(queue, names)}")]
    items = [CheckItem(True, f"queue {queue} exists")]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        lam.get_function_configuration(FunctionName=function)
    except lam.exceptions.ResourceNotFoundException:
        names = [f["FunctionName"] for f in lam.list_functions().get("Functions", [])]
        return items + [CheckItem(False, f"function {function} not found in the sandbox{_near(function, names)}")]
    items.append(CheckItem(True, f"function {function} exists"))
    mappings = lam.list_event_source_mappings(EventSourceArn=queue_arn).get("EventSourceMappings", [])
    mine = [m for m in mappings if m.get("FunctionArn", "").split(":")[6:7] == [function]]
    if not mine:
        others = sorted({m.get("FunctionArn", "").split(":")[6] for m in mappings if m.get("FunctionArn")})
        where = f" (it triggers {', '.join(others)})" if others else ""
        return items + [CheckItem(False, f"no event source mapping from {queue} to {function}{where}: "
                                         "create one with lambda.create_event_source_mapping")]
    mapping = mine[0]
    items.append(CheckItem(True, f"{queue} triggers {function}"))
    if mapping.get("State") not in (None, "Enabled", "Creating", "Enabling", "Updating"):
        items.append(CheckItem(False, f"the event source mapping is {mapping.get('State')}, expected Enabled"))
    if batch_size is not None:
        got = mapping.get("BatchSize")
        items.append(CheckItem(got == batch_size, f"batch size is {got}" if got == batch_size
                               else f"batch size is {got}, expected {batch_size}"))
    if report_batch_item_failures is not None:
        has = REPORT in (mapping.get("FunctionResponseTypes") or [])
        if has == report_batch_item_failures:
            items.append(CheckItem(True, "partial batch responses are " + ("on" if has else "off")))
        else:
            items.append(CheckItem(False, f"FunctionResponseTypes should {'include' if report_batch_item_failures else 'not include'} {REPORT}"))
    if batching_window_s is not None:
        got = int(mapping.get("MaximumBatchingWindowInSeconds") or 0)
        items.append(CheckItem(got == batching_window_s, f"batching window is {got} s" if got == batching_window_s
                               else f"batching window is {got} s, expected {batching_window_s} s"))
    return items
