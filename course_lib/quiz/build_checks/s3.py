"""Build-it checks for chapter 05 (S3): a versioned bucket whose uploads trigger a function.

``s3_bucket_trigger`` looks at what the learner built, the way a reviewer would: the bucket,
its versioning, the notification to the function with its event types and prefix/suffix
filters, and the function's resource-based policy that lets S3 invoke it (AWS refuses the
notification configuration without it; moto does not, so the check asks for it).
"""

from __future__ import annotations

from typing import Any

from course_lib.quiz.checks import CheckItem, _near, lets_service_invoke, _role_arn, _zip, build_check

CREATED_ALL = "s3:ObjectCreated:*"


def _solve(sandbox: Any, bucket: str, function: str, prefix: str = "", suffix: str = "", versioning: bool = True) -> None:
    s3, lam = sandbox.client("s3"), sandbox.client("lambda")
    s3.create_bucket(Bucket=bucket)
    if versioning:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    arn = lam.create_function(
        FunctionName=function, Runtime="python3.13", Role=_role_arn(sandbox), Handler="app.handler",
        Code={"ZipFile": _zip("def handler(event, context):\n    return len(event['Records'])\n")},
    )["FunctionArn"]
    lam.add_permission(FunctionName=function, StatementId="s3-invoke", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}")
    rules = [{"Name": name, "Value": value} for name, value in (("prefix", prefix), ("suffix", suffix)) if value]
    config: dict[str, Any] = {"LambdaFunctionArn": arn, "Events": [CREATED_ALL]}
    if rules:
        config["Filter"] = {"Key": {"FilterRules": rules}}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [config]})


def _filters(config: dict[str, Any]) -> dict[str, str]:
    rules = ((config.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    return {str(r.get("Name", "")).lower(): str(r.get("Value", "")) for r in rules}


@build_check("s3_bucket_trigger", solve=_solve)
def s3_bucket_trigger(sandbox: Any, bucket: str, function: str, prefix: str = "", suffix: str = "",
                      versioning: bool = True) -> list[CheckItem]:
    """A bucket (optionally versioned) that invokes a function for new objects matching prefix/suffix."""
    s3, lam = sandbox.client("s3"), sandbox.client("lambda")
    names = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
    if bucket not in names:
        return [CheckItem(False, f"bucket {bucket} not found in the sandbox{_near(bucket, names)}")]
    items = [CheckItem(True, f"bucket {bucket} exists")]
    if versioning:
        status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
        if status == "Enabled":
            items.append(CheckItem(True, "versioning is Enabled"))
        elif status == "Suspended":
            items.append(CheckItem(False, "versioning is Suspended: enable it again"))
        else:
            items.append(CheckItem(False, "versioning was never enabled on the bucket"))
    try:
        lam.get_function_configuration(FunctionName=function)
        items.append(CheckItem(True, f"function {function} exists"))
        items.append(CheckItem(True, f"function {function} lets S3 invoke it") if lets_service_invoke(lam, function, "s3.amazonaws.com")
                     else CheckItem(False, f"function {function} has no resource-based policy letting s3.amazonaws.com "
                                           "invoke it (lambda add_permission); AWS would refuse the notification"))
    except lam.exceptions.ResourceNotFoundException:
        functions = [f["FunctionName"] for f in lam.list_functions().get("Functions", [])]
        items.append(CheckItem(False, f"function {function} not found in the sandbox{_near(function, functions)}"))
    configs = s3.get_bucket_notification_configuration(Bucket=bucket).get("LambdaFunctionConfigurations", [])
    mine = [c for c in configs if c.get("LambdaFunctionArn", "").split(":function:")[-1].split(":")[0] == function]
    if not mine:
        others = sorted({c.get("LambdaFunctionArn", "").split(":function:")[-1] for c in configs})
        where = f" (it invokes {', '.join(others)})" if others else ""
        items.append(CheckItem(False, f"the bucket has no event notification that invokes {function}{where}"))
        return items
    config = mine[0]
    items.append(CheckItem(True, f"an event notification invokes {function}"))
    events = config.get("Events", [])
    if CREATED_ALL in events:
        items.append(CheckItem(True, f"it fires on {CREATED_ALL}"))
    elif any(e.startswith("s3:ObjectCreated:") for e in events):
        items.append(CheckItem(False, f"it fires on {', '.join(events)} only: uploads by other means (multipart, copy) "
                                      f"would not trigger it; use {CREATED_ALL}"))
    else:
        items.append(CheckItem(False, f"it fires on {', '.join(events) or 'no events'}, not on new objects ({CREATED_ALL})"))
    rules = _filters(config)
    for name, want in (("prefix", prefix), ("suffix", suffix)):
        got = rules.get(name)
        if not want:
            continue
        if got == want:
            items.append(CheckItem(True, f"{name} filter is {want!r}"))
        elif got is None:
            items.append(CheckItem(False, f"no {name} filter: every new object would invoke the function, expected {want!r}"))
        else:
            items.append(CheckItem(False, f"{name} filter is {got!r}, expected {want!r}"))
    return items
