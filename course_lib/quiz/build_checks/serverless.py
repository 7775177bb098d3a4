"""Build-it checks for chapter 01: an event-driven function (a bucket whose uploads invoke it)."""

from __future__ import annotations

from typing import Any, Sequence

from course_lib.quiz.checks import CheckItem, _near, lets_service_invoke, _role_arn, _zip, build_check

OBJECT_CREATED = "s3:ObjectCreated:*"


def _solve_event_driven_function(sandbox: Any, bucket: str, function: str, events: Sequence[str] | None = None) -> None:
    lam, s3 = sandbox.client("lambda"), sandbox.client("s3")
    arn = lam.create_function(
        FunctionName=function,
        Runtime="python3.13",
        Role=_role_arn(sandbox),
        Handler="app.handler",
        Code={"ZipFile": _zip("def handler(event, context):\n    return len(event['Records'])\n")},
    )["FunctionArn"]
    lam.add_permission(
        FunctionName=function,
        StatementId="allow-s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{bucket}",
    )
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": list(events or [OBJECT_CREATED])}]
        },
    )


def _covers(configured: Sequence[str], wanted: str) -> bool:
    """True when a configured event type includes ``wanted``: ``s3:ObjectCreated:*`` covers
    ``s3:ObjectCreated:Put``, but ``s3:ObjectCreated:Put`` does not cover every upload."""
    return any(event == wanted or (event.endswith("*") and wanted.startswith(event[:-1])) for event in configured)


@build_check("event_driven_function", solve=_solve_event_driven_function)
def event_driven_function(sandbox: Any, bucket: str, function: str, events: Sequence[str] | None = None) -> list[CheckItem]:
    """A Lambda function that S3 invokes for every object created in a bucket (notification and permission)."""
    lam, s3 = sandbox.client("lambda"), sandbox.client("s3")
    items: list[CheckItem] = []
    try:
        arn = lam.get_function_configuration(FunctionName=function)["FunctionArn"]
        items.append(CheckItem(True, f"function {function} exists"))
    except lam.exceptions.ResourceNotFoundException:
        names = [f["FunctionName"] for f in lam.list_functions().get("Functions", [])]
        items.append(CheckItem(False, f"function {function} not found in the sandbox{_near(function, names)}"))
        arn = None
    buckets = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
    if bucket not in buckets:
        items.append(CheckItem(False, f"bucket {bucket} not found in the sandbox{_near(bucket, buckets)}"))
        return items
    items.append(CheckItem(True, f"bucket {bucket} exists"))
    if arn is None:
        return items
    config = s3.get_bucket_notification_configuration(Bucket=bucket)
    targets = [c for c in config.get("LambdaFunctionConfigurations", []) if c.get("LambdaFunctionArn") == arn]
    if not targets:
        others = [c.get("LambdaFunctionArn", "").rsplit(":", 1)[-1] for c in config.get("LambdaFunctionConfigurations", [])]
        hint = f" (it notifies {', '.join(others)})" if others else ""
        items.append(CheckItem(False, f"bucket {bucket} has no event notification that invokes {function}{hint}"))
    else:
        configured = [e for c in targets for e in c.get("Events", [])]
        for wanted in events or [OBJECT_CREATED]:
            if _covers(configured, wanted):
                items.append(CheckItem(True, f"bucket {bucket} invokes {function} on {wanted}"))
            else:
                items.append(CheckItem(False, f"the notification to {function} is for {', '.join(configured)}, expected {wanted}"))
    allowed = lets_service_invoke(lam, function, "s3.amazonaws.com")
    items.append(
        CheckItem(True, f"{function}'s resource policy lets S3 invoke it")
        if allowed
        else CheckItem(
            False,
            f"{function} has no resource-based policy statement allowing s3.amazonaws.com to call "
            "lambda:InvokeFunction (lambda.add_permission): AWS refuses the notification without it",
        )
    )
    return items
