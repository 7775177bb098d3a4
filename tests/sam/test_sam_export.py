"""SAM export: the template passes cfn-lint and the SAM transform, holds nothing account-specific,
and builds the same app again in a fresh sandbox (the capstone checker passes on the rebuild)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

from course_lib import capstone, sam
from course_lib.runtime import deploy_function
from course_lib.sam.deploy import TemplateError

ROOT = Path(__file__).resolve().parents[2]


def _build_capstone(aws):
    module_spec = importlib.util.spec_from_file_location("capstone_reference", ROOT / "solutions" / "capstone" / "build.py")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.build(aws)


def _build_wide(aws):
    """One of most things the course builds, wired together."""
    lam, sns, s3, ddb = aws.client("lambda"), aws.client("sns"), aws.client("s3"), aws.client("dynamodb")
    events, kinesis, sfn = aws.client("events"), aws.client("kinesis"), aws.client("stepfunctions")
    fn = deploy_function("resize", "def handler(event, context):\n    return {'ok': True}\n", memory_mb=512, timeout_s=20,
                         env={"MODE": "thumbs"})
    topic = aws.ensure_topic("uploads-done")
    queue_url = aws.ensure_queue("audit.fifo", ContentBasedDeduplication="true")
    queue_arn = aws.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.client("sqs").set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                                "Action": "sqs:SendMessage", "Resource": queue_arn,
                                                "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]})})
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn.arn,
                  Attributes={"FilterPolicy": json.dumps({"size": ["large"]})})
    lam.add_permission(FunctionName="resize", StatementId="sns", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic)
    aws.ensure_bucket("photos-in")
    lam.add_permission(FunctionName="resize", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::photos-in")
    s3.put_bucket_notification_configuration(Bucket="photos-in", NotificationConfiguration={"LambdaFunctionConfigurations": [
        {"LambdaFunctionArn": fn.arn, "Events": ["s3:ObjectCreated:*"],
         "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}}}]})
    ddb.create_table(TableName="photos", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "owner")],
                     GlobalSecondaryIndexes=[{"IndexName": "by-owner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}],
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}, BillingMode="PAY_PER_REQUEST")
    kinesis.create_stream(StreamName="clicks", ShardCount=2)
    stream_arn = kinesis.describe_stream_summary(StreamName="clicks")["StreamDescriptionSummary"]["StreamARN"]
    lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName="resize", StartingPosition="LATEST", BatchSize=50)
    bus = events.create_event_bus(Name="shop")["EventBusArn"]
    events.put_rule(Name="big-orders", EventBusName="shop", EventPattern=json.dumps({"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}))
    events.put_targets(Rule="big-orders", EventBusName="shop", Targets=[{"Id": "q", "Arn": queue_arn, "SqsParameters": {"MessageGroupId": "g"}}][:1]
                       and [{"Id": "fn", "Arn": fn.arn, "InputPath": "$.detail"}])
    lam.add_permission(FunctionName="resize", StatementId="events", Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=events.describe_rule(Name="big-orders", EventBusName="shop")["Arn"])
    role = aws.ensure_role("flow-role", service="states.amazonaws.com", inline_policies={"invoke": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": fn.arn}]}})
    sfn.create_state_machine(name="thumbnails", roleArn=role, definition=json.dumps({
        "StartAt": "Resize", "States": {"Resize": {"Type": "Task", "Resource": fn.arn, "End": True}}}))
    lam.put_function_event_invoke_config(FunctionName="resize", MaximumRetryAttempts=1,
                                         DestinationConfig={"OnFailure": {"Destination": topic}})
    v2 = aws.client("apigatewayv2")
    v2.create_api(Name="thumbs-http", ProtocolType="HTTP", Target=fn.arn,
                  CorsConfiguration={"AllowOrigins": ["https://photos.example.com"], "AllowMethods": ["GET"]})
    lam.add_permission(FunctionName="resize", StatementId="http-api", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    lam.create_function_url_config(FunctionName="resize", AuthType="NONE")
    lam.add_permission(FunctionName="resize", StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")
    scheduler_role = aws.ensure_role("scheduler-role", service="scheduler.amazonaws.com")
    aws.client("scheduler").create_schedule(Name="nightly-resize", ScheduleExpression="cron(0 3 * * ? *)",
                                            ScheduleExpressionTimezone="Europe/Paris", FlexibleTimeWindow={"Mode": "OFF"},
                                            Target={"Arn": fn.arn, "RoleArn": scheduler_role, "Input": "{}"})
    s3.put_bucket_policy(Bucket="photos-in", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos-in/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    return {"bus": bus}


def _export(aws, folder):
    result = sam.export(aws, folder)
    return result, result.template_path.read_text()


def test_the_capstone_exports_validates_and_rebuilds_to_pass_the_checker(aws, tmp_path):
    ids = _build_capstone(aws)
    result, text = _export(aws, tmp_path / "app")
    validation = sam.validate(result.template_path)
    assert validation.ok, str(validation)
    kinds = {r["Type"] for r in validation.transformed["Resources"].values()}
    assert {"AWS::Lambda::Function", "AWS::ApiGateway::RestApi", "AWS::Lambda::Permission"} <= kinds
    assert (tmp_path / "app" / "functions" / "capstone-api" / "app.py").read_text() == \
        (ROOT / "solutions" / "capstone" / "functions" / "api" / "app.py").read_text()
    # nothing account-specific: no account, Region or random id survives
    for literal in (aws.account_id, aws.region, ids["api_id"], ids["user_pool_id"], ids["queue_url"]):
        assert literal not in text, literal
    aws.reset()
    deployed = sam.deploy_local(aws, tmp_path / "app")
    assert "CapstoneOrdersTable" in deployed.physical
    report = capstone.check(aws)
    assert report.all_met, str(report)


def test_a_wide_sandbox_exports_validates_and_exports_the_same_after_a_rebuild(aws, tmp_path):
    _build_wide(aws)
    first, text = _export(aws, tmp_path / "one")
    validation = sam.validate(first.template_path)
    assert validation.ok, str(validation)
    kinds = set(first.resources.values())
    assert {"AWS::SNS::Subscription", "AWS::Kinesis::Stream", "AWS::Events::EventBus", "AWS::Events::Rule",
            "AWS::StepFunctions::StateMachine", "AWS::Lambda::EventSourceMapping", "AWS::Lambda::Permission",
            "AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SQS::QueuePolicy"} <= kinds
    policy = first.template["Resources"]["AuditQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert policy["Condition"]["ArnEquals"]["aws:SourceArn"] == {"Ref": "UploadsDoneTopic"}
    resize = first.template["Resources"]["ResizeFunction"]["Properties"]
    assert resize["Events"]["PhotosInUpload"]["Properties"]["Bucket"] == {"Ref": "PhotosInBucket"}
    assert resize["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"] == {"Ref": "UploadsDoneTopic"}
    machine = first.template["Resources"]["ThumbnailsStateMachine"]["Properties"]["DefinitionString"]
    assert "${ResizeFunction.Arn}" in machine["Fn::Sub"]
    assert {"AWS::Serverless::HttpApi", "AWS::Scheduler::Schedule", "AWS::S3::BucketPolicy"} <= kinds
    assert resize["FunctionUrlConfig"] == {"AuthType": "NONE"}
    http_event = next(e for e in resize["Events"].values() if e["Type"] == "HttpApi")
    assert http_event["Properties"]["ApiId"] == {"Ref": "ThumbsHttpApi"} and "Path" not in http_event["Properties"]
    schedule = first.template["Resources"]["NightlyResizeSchedule"]["Properties"]
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": ["ResizeFunction", "Arn"]}
    assert schedule["Target"]["RoleArn"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}
    policy = first.template["Resources"]["PhotosInBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "PhotosInBucket"}
    assert policy["PolicyDocument"]["Statement"][0]["Resource"] == {"Fn::Sub": "${PhotosInBucket.Arn}/*"}
    assert aws.account_id not in text and aws.region not in text
    aws.reset()
    sam.deploy_local(aws, tmp_path / "one")
    second, _ = _export(aws, tmp_path / "two")
    assert second.template == first.template


def test_what_cannot_be_exported_is_named(aws, tmp_path):
    aws.client("apigatewayv2").create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    gateway = aws.client("apigateway")
    api = gateway.create_rest_api(name="mocked")["id"]
    root = gateway.get_resources(restApiId=api)["items"][0]["id"]
    gateway.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    gateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    gateway.create_deployment(restApiId=api, stageName="dev")
    result = sam.export(aws, tmp_path / "x")
    text = "\n".join(result.warnings)
    assert "WebSocket API `chat`" in text and "GET / is a MOCK integration" in text
    assert "not exported" in result._repr_markdown_()


def test_validation_catches_a_broken_template(aws, tmp_path):
    _build_capstone(aws)
    result = sam.export(aws, tmp_path / "app")
    template = yaml.safe_load(result.template_path.read_text())
    template["Resources"]["CapstoneOrdersTable"]["Properties"]["BillingMode"] = "WHENEVER"
    template["Resources"]["CapstoneApiFunction"]["Properties"]["Role"] = {"Fn::GetAtt": ["NoSuchRole", "Arn"]}
    result.template_path.write_text(yaml.safe_dump(template))
    validation = sam.validate(result.template_path)
    assert not validation.ok
    assert any("WHENEVER" in line for line in validation.lint) and any("NoSuchRole" in line for line in validation.lint)


@pytest.mark.parametrize("change, message", [
    (lambda t: t["Resources"].__setitem__("Thing", {"Type": "AWS::EC2::Instance", "Properties": {}}), "AWS::EC2::Instance is not supported"),
    (lambda t: t["Resources"]["CapstoneWorkerFunction"]["Properties"].__setitem__("Role", {"Fn::GetAtt": ["Ghost", "Arn"]}), "Ghost"),
    (lambda t: t["Resources"]["CapstoneReportFunction"]["Properties"].__setitem__("CodeUri", "functions/missing/"), "CodeUri"),
])
def test_the_local_deploy_names_the_resource_it_cannot_build(aws, tmp_path, change, message):
    _build_capstone(aws)
    result = sam.export(aws, tmp_path / "app")
    template = yaml.safe_load(result.template_path.read_text())
    change(template)
    result.template_path.write_text(yaml.safe_dump(template))
    aws.reset()
    with pytest.raises(TemplateError, match=message):
        sam.deploy_local(aws, tmp_path / "app")


def test_a_missing_or_broken_template_gets_a_clear_message(aws, tmp_path):
    with pytest.raises(TemplateError, match="No template"):
        sam.deploy_local(aws, tmp_path)
    (tmp_path / "template.yaml").write_text("Resources: [unclosed")
    with pytest.raises(TemplateError, match="not valid YAML"):
        sam.deploy_local(aws, tmp_path)
