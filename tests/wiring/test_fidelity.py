"""Events from SNS, S3, DynamoDB Streams and Kinesis reach handlers as AWS shapes them."""

from __future__ import annotations

import json

from wiring_support import RECORDER, arn_of, assert_aws_shape, events_of

from course_lib.runtime import deploy_function, quiet
from course_lib.wiring import async_invoke


def test_sns_to_lambda_carries_the_real_topic_message_and_attributes(aws, invocations):
    deploy_function("subscriber", RECORDER)
    sns = aws.client("sns")
    topic = aws.ensure_topic("news")
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn_of(aws, "subscriber"))["SubscriptionArn"]
    with quiet():
        message_id = sns.publish(TopicArn=topic, Message="hello", Subject="greeting",
                                 MessageAttributes={"kind": {"DataType": "String", "StringValue": "welcome"},
                                                    "count": {"DataType": "Number", "StringValue": "3"}})["MessageId"]
        sns.publish(TopicArn=topic, Message="no subject")
    first, second = events_of(invocations, "subscriber")
    assert_aws_shape(first, "sns")
    record = first["Records"][0]
    assert record["EventSubscriptionArn"] == subscription
    body = record["Sns"]
    assert body["TopicArn"] == topic and body["MessageId"] == message_id and body["Subject"] == "greeting"
    assert body["MessageAttributes"] == {"kind": {"Type": "String", "Value": "welcome"}, "count": {"Type": "Number", "Value": "3"}}
    assert body["Timestamp"].endswith("Z") and not body["Timestamp"].startswith("1970")
    assert second["Records"][0]["Sns"]["Subject"] is None and second["Records"][0]["Sns"]["MessageAttributes"] == {}
    assert [r.source for r in async_invoke.history("subscriber")] == ["SNS news", "SNS news"]  # asynchronous, as on AWS


def test_sns_filter_policy_is_honoured(aws, invocations):
    deploy_function("subscriber", RECORDER)
    sns = aws.client("sns")
    topic = aws.ensure_topic("orders")
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn_of(aws, "subscriber"))["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=subscription, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"kind": ["paid"]}))
    with quiet():
        sns.publish(TopicArn=topic, Message="a", MessageAttributes={"kind": {"DataType": "String", "StringValue": "paid"}})
        sns.publish(TopicArn=topic, Message="b", MessageAttributes={"kind": {"DataType": "String", "StringValue": "cart"}})
    assert [e["Records"][0]["Sns"]["Message"] for e in events_of(invocations, "subscriber")] == ["a"]


def test_s3_records_carry_identity_request_data_sequencer_and_aws_key_encoding(aws, invocations):
    deploy_function("on-upload", RECORDER)
    bucket = aws.ensure_bucket("uploads-fidelity")
    s3 = aws.client("s3")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [
        {"Id": "uploads", "LambdaFunctionArn": arn_of(aws, "on-upload"), "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]})
    with quiet():
        etag = s3.put_object(Bucket=bucket, Key="photos/my cat+1.jpg", Body=b"0123456789")["ETag"].strip('"')
        s3.put_object(Bucket=bucket, Key="photos/second.jpg", Body=b"x")
        s3.delete_object(Bucket=bucket, Key="photos/my cat+1.jpg")
    created, second, deleted = events_of(invocations, "on-upload")
    assert_aws_shape(created, "s3_put")
    assert_aws_shape(deleted, "s3_delete")
    record = created["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put" and record["s3"]["configurationId"] == "uploads"
    assert record["s3"]["object"] == {"key": "photos/my+cat%2B1.jpg", "size": 10, "eTag": etag,
                                      "sequencer": record["s3"]["object"]["sequencer"]}
    assert record["s3"]["object"]["sequencer"] < second["Records"][0]["s3"]["object"]["sequencer"]
    assert record["userIdentity"]["principalId"].startswith("AWS:")
    assert record["requestParameters"]["sourceIPAddress"] == "127.0.0.1"
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    removed = deleted["Records"][0]
    assert removed["eventName"] == "ObjectRemoved:Delete"
    assert set(removed["s3"]["object"]) == {"key", "sequencer"}


def test_s3_versioned_bucket_events_carry_version_ids(aws, invocations):
    deploy_function("on-upload", RECORDER)
    bucket = aws.ensure_bucket("versioned-fidelity")
    s3 = aws.client("s3")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [
        {"LambdaFunctionArn": arn_of(aws, "on-upload"), "Events": ["s3:ObjectCreated:*"]}]})
    with quiet():
        version = s3.put_object(Bucket=bucket, Key="a.txt", Body=b"1")["VersionId"]
    assert events_of(invocations, "on-upload")[0]["Records"][0]["s3"]["object"]["versionId"] == version


def test_dynamodb_stream_records(aws, invocations):
    deploy_function("on-change", RECORDER)
    ddb = aws.client("dynamodb")
    ddb.create_table(TableName="orders-stream", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    stream = ddb.describe_table(TableName="orders-stream")["Table"]["LatestStreamArn"]
    aws.client("lambda").create_event_source_mapping(EventSourceArn=stream, FunctionName="on-change", StartingPosition="LATEST")
    with quiet():
        ddb.put_item(TableName="orders-stream", Item={"pk": {"S": "o1"}, "total": {"N": "10"}})
        ddb.put_item(TableName="orders-stream", Item={"pk": {"S": "o1"}, "total": {"N": "12"}})
        ddb.delete_item(TableName="orders-stream", Key={"pk": {"S": "o1"}})
    insert, modify, remove = (e["Records"][0] for e in events_of(invocations, "on-change"))
    for event in ({"Records": [insert]}, {"Records": [modify]}):
        assert_aws_shape(event, "dynamodb_stream")
    assert [r["eventName"] for r in (insert, modify, remove)] == ["INSERT", "MODIFY", "REMOVE"]
    assert modify["dynamodb"]["OldImage"]["total"] == {"N": "10"} and modify["dynamodb"]["NewImage"]["total"] == {"N": "12"}
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in (insert, modify, remove)]
    assert sequence == sorted(set(sequence))  # distinct and increasing
    assert insert["eventVersion"] == "1.1" and insert["eventSourceARN"] == stream


def test_kinesis_records(aws, invocations):
    deploy_function("on-record", RECORDER)
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    stream = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
    aws.client("lambda").create_event_source_mapping(EventSourceArn=stream, FunctionName="on-record", StartingPosition="LATEST")
    with quiet():
        kinesis.put_record(StreamName="clicks", Data=b'{"page": "/"}', PartitionKey="user-1")
    (event,) = events_of(invocations, "on-record")
    assert_aws_shape(event, "kinesis")
    assert event["Records"][0]["kinesis"]["partitionKey"] == "user-1"
