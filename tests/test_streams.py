"""Chapter 09's emulations: Lambda reading Kinesis per shard, Firehose buffering, shard maths,
SQL over delivered objects, the figures and the build-it check."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from course_lib import clock, firehose, shards, stream_polling
from course_lib.diagrams import pipeline_diagram, shard_spread
from course_lib.quiz.checks import CHECKS, isolated_account, run_check
from course_lib.runtime import deploy_function
from course_lib.stream_query import Lake

READER = """
import base64, json

def handler(event, context):
    records = event["Records"]
    data = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in records]
    print("BATCH " + json.dumps({"shard": records[0]["eventID"].split(":")[0],
                                 "seq": [r["kinesis"]["sequenceNumber"] for r in records],
                                 "n": [d["n"] for d in data]}))
    if any(d.get("bad") for d in data):
        raise ValueError("bad record")
    return {}
"""


def _batches(invocations, name="reader"):
    out = []
    for invocation in invocations:
        if invocation.function_name != name:
            continue
        for line in invocation.log_text.splitlines():
            if line.startswith("BATCH "):
                out.append(json.loads(line[6:]))
    return out


@pytest.fixture
def invocations(aws):
    from course_lib.runtime import executor

    seen = []
    executor.add_listener(seen.append)
    yield seen
    executor.remove_listener(seen.append)


def _stream(aws, name="s", shard_count=2):
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=shard_count)
    return kinesis, kinesis.describe_stream(StreamName=name)["StreamDescription"]


def _put(kinesis, name, rows, key):
    return kinesis.put_records(StreamName=name, Records=[
        {"Data": json.dumps(r).encode(), "PartitionKey": key(r)} for r in rows])


def test_batches_per_shard_in_order_from_trim_horizon(aws, invocations):
    kinesis, description = _stream(aws)
    _put(kinesis, "s", [{"n": i} for i in range(10)], key=lambda r: f"k{r['n'] % 4}")  # before the mapping
    deploy_function("reader", READER)
    aws.client("lambda").create_event_source_mapping(
        EventSourceArn=description["StreamARN"], FunctionName="reader", StartingPosition="TRIM_HORIZON", BatchSize=3)
    answer = _put(kinesis, "s", [{"n": i} for i in range(10, 20)], key=lambda r: f"k{r['n'] % 4}")
    batches = _batches(invocations)
    assert all(len(b["n"]) <= 3 for b in batches)
    for shard in {b["shard"] for b in batches}:
        seqs = [int(s) for b in batches if b["shard"] == shard for s in b["seq"]]
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))  # in order, each once
    assert sorted(n for b in batches for n in b["n"]) == list(range(20))
    placed = {r["ShardId"] for r in answer["Records"]}
    assert {b["shard"] for b in batches} == placed
    assert all(p.waiting == 0 for p in stream_polling.positions("reader"))


def test_latest_skips_what_is_already_there_and_every_mapping_reads_everything(aws, invocations):
    kinesis, description = _stream(aws)
    _put(kinesis, "s", [{"n": 0}], key=lambda r: "a")
    deploy_function("reader", READER)
    deploy_function("other", READER)
    lam = aws.client("lambda")
    for name in ("reader", "other"):
        lam.create_event_source_mapping(EventSourceArn=description["StreamARN"], FunctionName=name,
                                        StartingPosition="LATEST", BatchSize=100)
    _put(kinesis, "s", [{"n": 1}, {"n": 2}], key=lambda r: "a")
    assert [b["n"] for b in _batches(invocations, "reader")] == [[1, 2]]
    assert [b["n"] for b in _batches(invocations, "other")] == [[1, 2]]


def test_a_failing_batch_blocks_only_its_shard_until_retries_run_out(aws, invocations, frozen_clock):
    kinesis, description = _stream(aws)
    url = aws.ensure_queue("kinesis-failures")
    dlq_arn = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    deploy_function("reader", READER)
    aws.client("lambda").create_event_source_mapping(
        EventSourceArn=description["StreamARN"], FunctionName="reader", StartingPosition="LATEST", BatchSize=10,
        MaximumRetryAttempts=2, DestinationConfig={"OnFailure": {"Destination": dlq_arn}})
    bad_shard = shards.shard_for_key("bad-key", description["Shards"])
    other_key = next(k for k in (f"k{i}" for i in range(50)) if shards.shard_for_key(k, description["Shards"]) != bad_shard)
    _put(kinesis, "s", [{"n": 1, "bad": True}], key=lambda r: "bad-key")
    _put(kinesis, "s", [{"n": 2}], key=lambda r: "bad-key")
    _put(kinesis, "s", [{"n": 3}], key=lambda r: other_key)
    position = {p.shard_id: p for p in stream_polling.positions("reader")}
    assert position[bad_shard].waiting == 2 and position[bad_shard].failed_attempts >= 1
    assert [n for b in _batches(invocations) for n in b["n"]].count(3) == 1  # the other shard went on
    report = clock.advance(seconds=30)
    assert report.invocation_counts()["reader"] >= 2
    position = {p.shard_id: p for p in stream_polling.positions("reader")}
    assert position[bad_shard].waiting == 0  # skipped after MaximumRetryAttempts
    body = json.loads(aws.client("sqs").receive_message(QueueUrl=url)["Messages"][0]["Body"])
    assert body["KinesisBatchInfo"]["shardId"] == bad_shard and body["KinesisBatchInfo"]["batchSize"] == 2


def test_firehose_buffers_until_the_interval_or_the_size(aws, frozen_clock):
    # frozen_clock: "119 s later" must not become 120 s on a loaded machine.
    aws.ensure_bucket("lake")
    role = aws.ensure_role("fh-role", service="firehose.amazonaws.com")
    fh, s3 = aws.client("firehose"), aws.client("s3")
    fh.create_delivery_stream(DeliveryStreamName="d", ExtendedS3DestinationConfiguration={
        "RoleARN": role, "BucketARN": "arn:aws:s3:::lake", "Prefix": "in/",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 120}})
    fh.put_record_batch(DeliveryStreamName="d", Records=[{"Data": b'{"a": 1}\n'}, {"Data": b'{"a": 2}\n'}])
    waiting = firehose.buffered("d")
    assert (waiting.records, waiting.bytes, waiting.deliver_in_s is not None) == (2, 18, True)
    assert s3.list_objects_v2(Bucket="lake").get("KeyCount") == 0
    clock.advance(seconds=119)
    assert s3.list_objects_v2(Bucket="lake").get("KeyCount") == 0
    clock.advance(seconds=2)
    [delivery] = firehose.deliveries("d")
    assert (delivery.records, delivery.bytes, delivery.reason) == (2, 18, "buffer interval")
    assert re.fullmatch(r"in/\d{4}/\d{2}/\d{2}/\d{2}/d-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}", delivery.key)
    assert s3.get_object(Bucket="lake", Key=delivery.key)["Body"].read() == b'{"a": 1}\n{"a": 2}\n'
    fh.put_record_batch(DeliveryStreamName="d", Records=[{"Data": b"x" * 600_000}, {"Data": b"y" * 600_000}])
    assert firehose.deliveries("d")[-1].reason == "buffer size" and firehose.buffered("d").records == 0


def test_firehose_delimiter_processor_and_prefix_expressions(aws):
    aws.ensure_bucket("lake")
    role = aws.ensure_role("fh-role", service="firehose.amazonaws.com")
    fh = aws.client("firehose")
    fh.create_delivery_stream(DeliveryStreamName="e", ExtendedS3DestinationConfiguration={
        "RoleARN": role, "BucketARN": "arn:aws:s3:::lake", "Prefix": "year=!{timestamp:yyyy}/",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0},
        "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "AppendDelimiterToRecord"}]}})
    fh.put_record(DeliveryStreamName="e", Record={"Data": b"one"})
    [delivery] = firehose.deliveries("e")
    assert delivery.key.startswith(f"year={clock.now().year}/e-1-")  # no hour folders after an expression
    assert aws.client("s3").get_object(Bucket="lake", Key=delivery.key)["Body"].read() == b"one\n"


def test_object_key_evaluates_expressions():
    when = dt.datetime(2026, 3, 2, 10, 5, 7, tzinfo=dt.timezone.utc)
    key = firehose.object_key("logs/", "s", "1", when, when)
    assert key.startswith("logs/2026/03/02/10/s-1-2026-03-02-10-05-07-")
    key = firehose.object_key("d=!{timestamp:yyyy-MM-dd}/!{firehose:random-string}/", "s", "2", when, when)
    assert re.match(r"d=2026-03-02/[0-9a-f]{11}/s-2-", key)


def test_shard_maths_matches_where_the_sandbox_put_records(aws):
    kinesis, description = _stream(aws, shard_count=3)
    for key in ("alice", "bob", "carol", "dave", "erin"):
        answer = kinesis.put_record(StreamName="s", Data=b"{}", PartitionKey=key)
        assert answer["ShardId"] == shards.shard_for_key(key, description["Shards"])
    assert sum(shards.share_of_range(s) for s in description["Shards"]) == pytest.approx(1.0)
    estimate = shards.shards_needed(records_per_s=2500, record_kb=3)
    assert (estimate.by_records, estimate.by_bytes, estimate.shards, estimate.limited_by) == (3, 8, 8, "megabytes per second")
    assert shards.shards_needed(10, 0.1).shards == 1


def test_sql_over_json_lines_in_s3(aws):
    aws.ensure_bucket("lake")
    s3 = aws.client("s3")
    s3.put_object(Bucket="lake", Key="t/1", Body=b'{"page": "a", "n": 1}\n{"page": "b", "n": 2}\n')
    s3.put_object(Bucket="lake", Key="t/2", Body=b'{"page": "a", "n": 3, "tags": ["x"]}\nnot json\n')
    s3.put_object(Bucket="lake", Key="other/3", Body=b'{"page": "z"}\n')
    lake = Lake(aws)
    source = lake.load_json_lines("lake", prefix="t/", table="views")
    assert (source.objects, source.rows, source.bad_lines, source.columns) == (2, 3, 1, ["page", "n", "tags"])
    result = lake.sql("SELECT page, SUM(n) AS total FROM views GROUP BY page ORDER BY page")
    assert result.rows == (("a", 4), ("b", 2)) and result.bytes_scanned == source.bytes
    assert lake.sql("SELECT json_extract(tags, '$[0]') FROM views WHERE tags IS NOT NULL").rows == (("x",),)
    assert "| page | total |" in result._repr_markdown_()


def test_figures_return_what_they_drew():
    figure, loads = shard_spread({"user": {"shardId-0": 48, "shardId-1": 52}, "country": {"shardId-0": 95, "shardId-1": 5}})
    assert [(l.scheme, l.records) for l in loads] == [("user", 48), ("user", 52), ("country", 95), ("country", 5)]
    assert loads[2].share == pytest.approx(0.95)
    figure, steps = pipeline_diagram([("A", "a"), ("B", "b"), ("C", "c")], branches=[("D", "d", 1)])
    assert [(s.name, s.column, s.row) for s in steps] == [("A", 0, 0), ("B", 1, 0), ("C", 2, 0), ("D", 2, 1)]


def test_kinesis_trigger_check_says_what_is_missing():
    args = {"stream": "quiz-orders", "function": "quiz-order-reader", "shards": 3, "batch_size": 25,
            "starting_position": "TRIM_HORIZON"}
    with isolated_account() as account:
        assert [i.line() for i in run_check("kinesis_trigger", account, args)] == ["stream quiz-orders not found in the sandbox"]
        CHECKS["kinesis_trigger"].solve(account, **dict(args, shards=2, batch_size=100))
        lines = [i.line() for i in run_check("kinesis_trigger", account, args)]
        assert "the stream has 2 shard(s), expected 3" in lines and "BatchSize is 100, expected 25" in lines
    with isolated_account() as account:
        CHECKS["kinesis_trigger"].solve(account, **args)
        assert all(i.ok for i in run_check("kinesis_trigger", account, args))
