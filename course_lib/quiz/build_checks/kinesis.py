"""Build-it checks for chapter 09 (Kinesis and Firehose): a stream that a function reads.

``kinesis_trigger`` looks at what the learner built, the way a reviewer would: the stream and
its shard count, the function, and the event source mapping between them with its batch size
and starting position.
"""

from __future__ import annotations

from typing import Any

from course_lib.quiz.checks import CheckItem, _near, _role_arn, _zip, build_check


def _solve(sandbox: Any, stream: str, function: str, shards: int | None = None, batch_size: int | None = None,
           starting_position: str | None = None) -> None:
    kinesis, lam = sandbox.client("kinesis"), sandbox.client("lambda")
    kinesis.create_stream(StreamName=stream, ShardCount=shards or 1)
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    lam.create_function(
        FunctionName=function, Runtime="python3.13", Role=_role_arn(sandbox), Handler="app.handler",
        Code={"ZipFile": _zip("def handler(event, context):\n    return len(event['Records'])\n")},
    )
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=function, BatchSize=batch_size or 100,
                                    StartingPosition=starting_position or "LATEST")


@build_check("kinesis_trigger", solve=_solve)
def kinesis_trigger(sandbox: Any, stream: str, function: str, shards: int | None = None,
                    batch_size: int | None = None, starting_position: str | None = None) -> list[CheckItem]:
    """A Kinesis stream with a shard count, read by a function through an event source mapping."""
    kinesis, lam = sandbox.client("kinesis"), sandbox.client("lambda")
    try:
        summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    except kinesis.exceptions.ResourceNotFoundException:
        names = kinesis.list_streams().get("StreamNames", [])
        return [CheckItem(False, f"stream {stream} not found in the sandbox{_near(stream, names)}")]
    items = [CheckItem(True, f"stream {stream} exists")]
    if shards is not None:
        got = int(summary.get("OpenShardCount", 0))
        items.append(CheckItem(got == shards, f"the stream has {got} shard(s)" if got == shards
                               else f"the stream has {got} shard(s), expected {shards}"))
    try:
        lam.get_function_configuration(FunctionName=function)
    except lam.exceptions.ResourceNotFoundException:
        names = [f["FunctionName"] for f in lam.list_functions().get("Functions", [])]
        return items + [CheckItem(False, f"function {function} not found in the sandbox{_near(function, names)}")]
    items.append(CheckItem(True, f"function {function} exists"))
    mappings = lam.list_event_source_mappings(EventSourceArn=summary["StreamARN"]).get("EventSourceMappings", [])
    mine = [m for m in mappings if m.get("FunctionArn", "").split(":")[6:7] == [function]]
    if not mine:
        return items + [CheckItem(False, f"no event source mapping from {stream} to {function}: "
                                         "create one with lambda.create_event_source_mapping")]
    mapping = mine[0]
    items.append(CheckItem(True, f"{function} reads {stream} through an event source mapping"))
    if batch_size is not None:
        got = mapping.get("BatchSize")
        items.append(CheckItem(got == batch_size, f"BatchSize is {got}" if got == batch_size
                               else f"BatchSize is {got}, expected {batch_size}"))
    if starting_position is not None:
        got = mapping.get("StartingPosition")
        want = starting_position.upper()
        items.append(CheckItem(got == want, f"StartingPosition is {got}" if got == want
                               else f"StartingPosition is {got}, expected {want}"))
    return items
