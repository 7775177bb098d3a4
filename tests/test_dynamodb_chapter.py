"""Chapter 04's modules: partitions, capacity units, TTL sweeps, IAM policy evaluation, the table check."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr, Key

from course_lib import capacity, facts, iam_policies, partitions, ttl
from course_lib.diagrams import partition_spread, query_vs_scan
from course_lib.quiz.checks import CHECKS, isolated_account, run_check


# -- partitions ----------------------------------------------------------------------------------
def test_same_key_same_partition_and_forms_agree():
    assert partitions.partition_of("C042") == partitions.partition_of({"S": "C042"})
    assert partitions.partition_of(7) == partitions.partition_of(Decimal("7.0")) == partitions.partition_of({"N": "7"})
    assert all(0 <= partitions.partition_of(f"k{i}", 5) < 5 for i in range(100))
    with pytest.raises(ValueError):
        partitions.partition_of("x", 0)


def test_many_values_spread_evenly_and_few_values_do_not():
    items = [{"customer_id": f"C{i:04d}", "status": ("A", "B", "C")[i % 3]} for i in range(2000)]
    good, bad = partitions.spread(items, "customer_id"), partitions.spread(items, "status")
    assert good.used_partitions == 8 and good.imbalance < 1.3 and good.items == 2000
    assert bad.used_partitions <= 3 and bad.hottest_share >= 1 / 3
    limit = facts.value("dynamodb.limits.partition_wcu")
    assert partitions.max_table_throughput(bad) == pytest.approx(limit / bad.hottest_share)
    assert partitions.max_table_throughput(good) > 2 * partitions.max_table_throughput(bad)
    figure, data = partition_spread(good, bad)
    assert data == {"customer_id": good.counts, "status": bad.counts}


# -- capacity units -------------------------------------------------------------------------------
def test_units_follow_the_documented_rules():
    assert capacity.read_units(4096, "strong") == 1 and capacity.read_units(4097, "strong") == 2
    assert capacity.read_units(100, "eventual") == 0.5 and capacity.read_units(100, "transactional") == 2
    assert capacity.write_units(1024) == 1 and capacity.write_units(1025) == 2 and capacity.write_units(1025, transactional=True) == 4
    item = {"pk": "abc", "n": 12345, "flag": True}
    assert capacity.item_bytes(item) == capacity.item_bytes({"pk": {"S": "abc"}, "n": {"N": "12345"}, "flag": {"BOOL": True}})
    assert capacity.item_bytes(item) == 2 + 3 + 1 + 4 + 4 + 1
    with pytest.raises(ValueError):
        capacity.read_units(1, "sometimes")
    # a whole-table scan is read in 1 MB calls, each rounded up on its own
    assert capacity.scan_units(0, 100) == 0
    assert capacity.scan_units(3, 1000) == 0.5
    megabyte_items = 1024 * 1024 // 512
    assert capacity.scan_units(megabyte_items * 2 + 1, 512) == 2 * 128 + 0.5


def test_query_reads_one_customer_and_scan_reads_the_table(aws):
    table = aws.ensure_table("cap-orders", key="customer_id", sort_key="order_id")
    with table.batch_writer() as batch:
        for n in range(60):
            batch.put_item(Item={"customer_id": f"C{n % 12:02d}", "order_id": f"O{n:03d}", "note": "x" * 300})
    query = capacity.measure_read(table, "query", KeyConditionExpression=Key("customer_id").eq("C03"))
    scan = capacity.measure_read(table, "scan", FilterExpression=Attr("customer_id").eq("C03"))
    strings = capacity.measure_read(
        table, "scan", FilterExpression="customer_id = :c", ExpressionAttributeValues={":c": "C03"},
        ProjectionExpression="order_id",
    )
    assert (query.items_read, query.items_returned) == (5, 5)
    assert (scan.items_read, scan.items_returned) == (60, 5)
    assert (strings.items_read, strings.items_returned, strings.read_units) == (60, 5, scan.read_units)
    assert scan.bytes_read == sum(capacity.item_bytes(i) for i in table.scan()["Items"])
    assert scan.read_units == capacity.read_units(scan.bytes_read) > query.read_units == 0.5
    strong = capacity.measure_read(table, "query", KeyConditionExpression=Key("customer_id").eq("C03"), ConsistentRead=True)
    assert strong.read_units == 1 and strong.consistency == "strong"
    figure, rows = query_vs_scan([query, scan])
    assert rows == [("Query", 5, 5, 0.5), ("Scan", 60, 5, scan.read_units)]
    with pytest.raises(ValueError):
        capacity.measure_read(table, "get_item")


# -- TTL -----------------------------------------------------------------------------------------
def test_sweep_deletes_only_expired_items_and_streams_see_it(aws):
    from course_lib.runtime import deploy_function

    table = aws.ensure_table("ttl-sessions", key="session_id")
    ddb = aws.client("dynamodb")
    assert ttl.sweep("ttl-sessions") == []  # TTL not enabled: nothing expires
    ddb.update_time_to_live(TableName="ttl-sessions", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
    arn = ddb.update_table(TableName="ttl-sessions", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})[
        "TableDescription"]["LatestStreamArn"]
    deploy_function("ttl-watch", "SEEN = []\ndef handler(event, context):\n    SEEN.extend(r['eventName'] for r in event['Records'])\n    return SEEN\n")
    aws.client("lambda").create_event_source_mapping(FunctionName="ttl-watch", EventSourceArn=arn, StartingPosition="LATEST")
    now = time.time()
    for sid, expires in [("old", now - 10), ("future", now + 3600), ("text", "soon")]:
        table.put_item(Item={"session_id": sid, "expires_at": Decimal(str(int(expires))) if sid != "text" else expires})
    table.put_item(Item={"session_id": "never"})
    assert sorted(i["session_id"] for i in ttl.expired_items("ttl-sessions")) == ["old"]
    assert ttl.sweep("ttl-sessions") == [{"session_id": "old"}]
    assert sorted(i["session_id"] for i in table.scan()["Items"]) == ["future", "never", "text"]
    from course_lib.runtime import invoke

    assert "REMOVE" in invoke("ttl-watch", {"Records": []}).payload


# -- IAM policies --------------------------------------------------------------------------------
ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


def test_evaluation_follows_aws_logic():
    allow = {"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "dynamodb:Get*", "Resource": ARN}]}
    deny = {"Statement": [{"Sid": "NoPayroll", "Effect": "Deny", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/payroll"}]}
    star = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert iam_policies.evaluate([allow], "dynamodb:GetItem", ARN).allowed
    assert iam_policies.evaluate([allow], "DynamoDB:getitem", ARN).allowed  # actions are case-insensitive
    decision = iam_policies.evaluate([allow], "dynamodb:PutItem", ARN)
    assert decision.outcome == iam_policies.IMPLICIT_DENY and "no identity-based policy allows" in decision.reason
    payroll = ARN.replace("orders", "payroll")
    assert iam_policies.evaluate([star, deny], "dynamodb:GetItem", payroll).outcome == iam_policies.EXPLICIT_DENY
    assert iam_policies.evaluate([star, deny], "dynamodb:GetItem", ARN).allowed
    not_action = {"Statement": [{"Effect": "Allow", "NotAction": "dynamodb:Delete*", "Resource": "*"}]}
    assert not iam_policies.evaluate([not_action], "dynamodb:DeleteItem", ARN).allowed
    assert iam_policies.evaluate([not_action], "dynamodb:Query", ARN + "/index/by-status").allowed


def test_conditions_including_the_for_all_values_pitfall():
    policy = {"Statement": [{"Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:Scan"], "Resource": ARN,
                             "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["C042"]}}}]}
    assert iam_policies.evaluate([policy], "dynamodb:Query", ARN, {"dynamodb:LeadingKeys": ["C042"]}).allowed
    assert not iam_policies.evaluate([policy], "dynamodb:Query", ARN, {"dynamodb:LeadingKeys": ["C007"]}).allowed
    # A Scan names no partition key: ForAllValues over nothing is true, so it is allowed.
    assert iam_policies.evaluate([policy], "dynamodb:Scan", ARN, {}).allowed
    strict = {"Statement": [{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": ARN,
                             "Condition": {"StringEquals": {"dynamodb:LeadingKeys": "C042"},
                                           "StringLike": {"aws:PrincipalTag/team": "ops-*"}}}]}
    context = {"dynamodb:LeadingKeys": ["C042"], "aws:PrincipalTag/team": ["ops-eu"]}
    assert iam_policies.evaluate([strict], "dynamodb:Query", ARN, context).allowed
    assert not iam_policies.evaluate([strict], "dynamodb:Query", ARN, {"dynamodb:LeadingKeys": ["C042"]}).allowed
    negated = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                              "Condition": {"StringNotEquals": {"dynamodb:LeadingKeys": "admin"}}}]}
    assert iam_policies.evaluate([negated], "dynamodb:Scan", ARN, {}).allowed  # absent key: negated holds
    assert not iam_policies.evaluate([negated], "dynamodb:GetItem", ARN, {"dynamodb:LeadingKeys": ["admin"]}).allowed
    with pytest.raises(iam_policies.UnsupportedPolicy):
        iam_policies.evaluate([{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                               "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}}]}],
                              "dynamodb:GetItem", ARN, {"aws:CurrentTime": ["2026-01-01"]})


def test_role_policies_are_enforced_on_real_calls(aws):
    orders = aws.ensure_table("orders", key="customer_id", sort_key="order_id")
    orders.put_item(Item={"customer_id": "C042", "order_id": "O1"})
    orders.put_item(Item={"customer_id": "C007", "order_id": "O2"})
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "Own", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": orders.table_arn,
        "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["C042"]}}}]}
    aws.ensure_role("customer-C042", inline_policies={"own": policy})
    session = iam_policies.as_role(aws, "customer-C042")
    table = session.resource("dynamodb").Table("orders")
    assert [i["order_id"] for i in table.query(KeyConditionExpression=Key("customer_id").eq("C042"))["Items"]] == ["O1"]
    assert table.get_item(Key={"customer_id": "C042", "order_id": "O1"})["Item"]["order_id"] == "O1"
    low_level = session.client("dynamodb")
    named = low_level.query(TableName="orders", KeyConditionExpression="#p = :v",
                            ExpressionAttributeNames={"#p": "customer_id"}, ExpressionAttributeValues={":v": {"S": "C042"}})
    assert named["Count"] == 1
    for attempt in (
        lambda: table.query(KeyConditionExpression=Key("customer_id").eq("C007")),
        lambda: table.scan(),
        lambda: table.put_item(Item={"customer_id": "C042", "order_id": "O3"}),
        lambda: table.get_item(Key={"customer_id": "C007", "order_id": "O2"}),
    ):
        with pytest.raises(iam_policies.AccessDenied) as denied:
            attempt()
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
        assert "assumed-role/customer-C042" in str(denied.value)
    assert [d.allowed for d in session.decisions][-1] is False
    assert orders.scan()["Count"] == 2  # the denied write never reached the table
    with pytest.raises(iam_policies.UnsupportedPolicy):
        session.client("s3")


# -- the build check -----------------------------------------------------------------------------
def test_dynamodb_table_check_itemises_keys_mode_and_indexes():
    args = {"name": "quiz-orders", "partition_key": "customer_id", "sort_key": "order_id", "billing_mode": "PAY_PER_REQUEST",
            "gsis": {"status-index": {"partition_key": "status", "sort_key": "created_at"}}}
    with isolated_account() as account:
        assert [i.line() for i in run_check("dynamodb_table", account, args)] == ["table quiz-orders not found in the sandbox"]
        CHECKS["dynamodb_table"].solve(account, **args)
        assert all(i.ok for i in run_check("dynamodb_table", account, args)), run_check("dynamodb_table", account, args)
        account.client("dynamodb").create_table(
            TableName="quiz-orders-2", KeySchema=[{"AttributeName": "customer_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "customer_id", "AttributeType": "S"}],
            BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        )
        lines = [i.line() for i in run_check("dynamodb_table", account, dict(args, name="quiz-orders-2", ttl_attribute="expires_at",
                                                                             stream_view_type="NEW_IMAGE"))]
        assert lines == [
            "table quiz-orders-2 exists: ok",
            "the table's partition key is customer_id (S): ok",
            "the table's has no sort key, expected order_id (a composite primary key)",
            "capacity mode is provisioned, expected on-demand",
            "global secondary index status-index missing",
            "TTL is not enabled, expected it on expires_at",
            "no stream, expected one with view type NEW_IMAGE",
        ]
