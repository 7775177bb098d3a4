"""course_lib.inventory: what exists and what triggers what, read back through boto3."""

from __future__ import annotations

import json

import pytest

from course_lib import inventory
from course_lib.runtime import BASIC_EXECUTION_POLICY, deploy_function

CODE = "def handler(event, context):\n    return event\n"


def _queue(aws, name, **attrs):
    url = aws.ensure_queue(name, **attrs)
    arn = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def test_an_empty_account_has_nothing(aws):
    inv = inventory.read(aws)
    assert inv.nodes == [] and inv.edges == []
    assert inv.summary().startswith("0 resources")


def test_triggers_are_resolved_to_nodes(aws):
    fn = deploy_function("worker", CODE, env={"TABLE": "t", "MODE": "x"}, memory_mb=256)
    _, jobs_arn = _queue(aws, "jobs")
    _, dlq_arn = _queue(aws, "jobs-dlq")
    sqs = aws.client("sqs")
    sqs.set_queue_attributes(QueueUrl=aws.ensure_queue("jobs"), Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})
    lam = aws.client("lambda")
    lam.create_event_source_mapping(EventSourceArn=jobs_arn, FunctionName="worker", BatchSize=7)
    topic = aws.ensure_topic("news")
    aws.client("sns").subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn.arn)
    aws.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=jobs_arn,
                                Attributes={"FilterPolicy": json.dumps({"kind": ["a"]})})
    aws.ensure_bucket("uploads")
    aws.client("s3").put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": fn.arn, "Events": ["s3:ObjectCreated:*"],
                                          "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}}]})
    events = aws.client("events")
    events.put_rule(Name="nightly", ScheduleExpression="cron(0 2 * * ? *)")
    events.put_targets(Rule="nightly", Targets=[{"Id": "w", "Arn": fn.arn}])

    inv = inventory.read(aws)
    worker = inv.node("worker")
    assert worker.kind == "function" and not worker.missing
    assert worker.details["memory_mb"] == 256 and worker.details["env"] == ["MODE", "TABLE"]
    assert worker.details["runtime"] and worker.details["handler"] == "app.handler"
    rows = set(inv.connections())
    assert ("queue", "jobs", "batch 7", "function", "worker") in rows
    assert ("queue", "jobs", "DLQ after 3 receives", "queue", "jobs-dlq") in rows
    assert ("topic", "news", "lambda", "function", "worker") in rows
    assert ("topic", "news", "sqs (filtered)", "queue", "jobs") in rows
    assert ("bucket", "uploads", "ObjectCreated:* *.csv", "function", "worker") in rows
    assert ("rule", "nightly", "on schedule", "function", "worker") in rows
    assert inv.node("nightly").details["schedule"] == "cron(0 2 * * ? *)"
    assert inv.node("jobs").details["max_receive_count"] == 3
    assert inv.missing() == []
    json.dumps(inv.to_dict())  # plain data
    assert {n["name"] for n in inv.to_dict()["nodes"]} == {n.name for n in inv.nodes}


def test_a_dangling_reference_is_shown_as_missing(aws):
    fn = deploy_function("notifier", CODE)
    lam = aws.client("lambda")
    _, gone_arn = _queue(aws, "soon-gone")
    lam.put_function_event_invoke_config(FunctionName="notifier",
                                         DestinationConfig={"OnFailure": {"Destination": gone_arn}})
    aws.client("sqs").delete_queue(QueueUrl=aws.ensure_queue("soon-gone"))
    events = aws.client("events")
    events.put_rule(Name="orphan", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="orphan", Targets=[{"Id": "x", "Arn": fn.arn.replace("notifier", "deleted-fn")}])

    inv = inventory.read(aws)
    missing = {(n.kind, n.name) for n in inv.missing()}
    assert missing == {("queue", "soon-gone"), ("function", "deleted-fn")}
    assert ("function", "notifier", "async on failure", "queue (missing)", "soon-gone") in inv.connections()
    assert "(MISSING)" in inv.summary()


def test_may_access_edges_come_from_role_policies(aws):
    table_arn = aws.ensure_table("orders").table_arn
    aws.ensure_bucket("reports")
    role = aws.ensure_role("writer-role", inline_policies={
        "basic": BASIC_EXECUTION_POLICY,
        "access": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"], "Resource": table_arn},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/daily/*"},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:typo-queue"},
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"},
            {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": table_arn},
        ]}})
    deploy_function("writer", CODE, role=role)

    inv = inventory.read(aws)
    access = {(inv.name_of(e.target), e.label) for e in inv.edges_from("writer", kind=inventory.MAY_ACCESS)}
    assert access == {("orders", "dynamodb: GetItem, PutItem"), ("reports", "s3: PutObject"),
                      ("typo-queue", "sqs: SendMessage")}
    assert inv.node("typo-queue").missing
    assert inv.node("writer").details["broad_access"] == ["sns:Publish"]
    assert inv.edges_from("writer", kind=inventory.TRIGGER) == []


def test_apis_authorizers_state_machines_and_streams(aws):
    fn = deploy_function("api-fn", CODE)
    idp = aws.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="users")["UserPool"]
    gw = aws.client("apigateway")
    api = gw.create_rest_api(name="shop")["id"]
    root = gw.get_resources(restApiId=api)["items"][0]["id"]
    auth = gw.create_authorizer(restApiId=api, name="users-auth", type="COGNITO_USER_POOLS",
                                providerARNs=[pool["Arn"]], identitySource="method.request.header.Authorization")["id"]
    res = gw.create_resource(restApiId=api, parentId=root, pathPart="items")["id"]
    gw.put_method(restApiId=api, resourceId=res, httpMethod="GET", authorizationType="COGNITO_USER_POOLS", authorizerId=auth)
    gw.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
                       uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn.arn}/invocations")
    gw.create_deployment(restApiId=api, stageName="prod")
    aws.client("apigatewayv2").create_api(Name="quick", ProtocolType="HTTP", Target=fn.arn)
    role = aws.ensure_role("sfn-role", service="states.amazonaws.com")
    definition = {"StartAt": "Check", "States": {
        "Check": {"Type": "Task", "Resource": fn.arn, "Next": "Fan"},
        "Fan": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "Again", "States": {
            "Again": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": "api-fn", "Payload.$": "$"}, "End": True}}}]}}}
    aws.client("stepfunctions").create_state_machine(name="flow", definition=json.dumps(definition), roleArn=role)
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=2)
    aws.client("dynamodb").create_table(
        TableName="events", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    stream_arn = aws.client("dynamodb").describe_table(TableName="events")["Table"]["LatestStreamArn"]
    aws.client("lambda").create_event_source_mapping(EventSourceArn=stream_arn, FunctionName="api-fn",
                                                     StartingPosition="LATEST", BatchSize=5)

    inv = inventory.read(aws)
    rows = set(inv.connections())
    assert ("rest_api", "shop", "GET /items", "function", "api-fn") in rows
    assert ("rest_api", "shop", "authorizer users-auth", "user_pool", "users") in rows
    assert ("http_api", "quick", "ANY $default", "function", "api-fn") in rows
    assert ("state_machine", "flow", "Check", "function", "api-fn") in rows
    assert ("state_machine", "flow", "Again", "function", "api-fn") in rows
    assert ("table", "events", "stream batch 5", "function", "api-fn") in rows
    shop = inv.node("shop").details
    assert shop["stages"] == ["prod"]
    assert shop["routes"] == [{"method": "GET", "path": "/items", "authorization": "COGNITO_USER_POOLS",
                               "authorizer": "users-auth", "integration": "AWS_PROXY", "function": fn.arn}]
    assert inv.node("events").details["stream"] and inv.node("events").details["billing_mode"] == "PAY_PER_REQUEST"
    assert inv.node("clicks").details["shards"] == 2
    assert inv.missing() == []
    # subsets keep the edges between what they keep
    part = inv.component("shop")
    assert {n.name for n in part.nodes} >= {"shop", "api-fn", "users"}


def test_lookups_explain_themselves(aws):
    deploy_function("same", CODE)
    aws.ensure_queue("same")
    inv = inventory.read(aws)
    with pytest.raises(KeyError, match="several resources"):
        inv.node("same")
    assert inv.node("same", kind="queue").kind == "queue"
    with pytest.raises(KeyError, match="holds: function same, queue same"):
        inv.node("nothing-here")


def test_reading_is_one_pass(aws):
    for i in range(4):
        deploy_function(f"fn-{i}", CODE)  # all share the default role: its policies are read once
    inv = inventory.read(aws)
    before = inv.calls
    deploy_function("fn-4", CODE)
    # one more function costs its invoke-config call only, not a re-read of the shared role
    assert inventory.read(aws).calls == before + 1
