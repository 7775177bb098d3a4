"""Reference solution for chapter 14's capstone: every item of the spec, built with plain boto3.

    from course_lib.sandbox import start
    aws = start()
    build(aws)                       # on a fresh sandbox
    from course_lib import capstone
    capstone.check(aws)              # every item met

Or from a shell: ``course capstone solutions/capstone/build.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from course_lib.capstone import spec
from course_lib.runtime import deploy_function

FUNCTIONS = Path(__file__).resolve().parent / "functions"


def _role(aws: Any, name: str, statements: list[dict[str, Any]]) -> str:
    logs = {
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"arn:aws:logs:{aws.region}:{aws.account_id}:log-group:/aws/lambda/{name}:*",
    }
    document = {"Version": "2012-10-17", "Statement": [logs, *statements]}
    return aws.ensure_role(f"{name}-role", inline_policies={f"{name}-access": document})


def build(aws: Any) -> dict[str, str]:
    """Build the orders service in ``aws``; returns the ids a learner would note down."""
    idp, ddb, sqs, lam = aws.client("cognito-idp"), aws.client("dynamodb"), aws.client("sqs"), aws.client("lambda")
    gateway, events = aws.client("apigateway"), aws.client("events")

    pool = idp.create_user_pool(PoolName=spec.POOL)["UserPool"]
    idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName=spec.APP_CLIENT,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )

    table_arn = ddb.create_table(
        TableName=spec.TABLE,
        KeySchema=[{"AttributeName": spec.KEY, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": spec.KEY, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]["TableArn"]

    dlq_url = sqs.create_queue(QueueName=spec.DLQ)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(QueueName=spec.QUEUE, Attributes={
        "VisibilityTimeout": "60",  # six times the worker's timeout, as AWS recommends
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}),
    })["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    env = {"TABLE_NAME": spec.TABLE}
    api_role = _role(aws, spec.API_FUNCTION, [
        {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"], "Resource": table_arn},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn},
    ])
    worker_role = _role(aws, spec.WORKER_FUNCTION, [
        {"Effect": "Allow", "Action": "dynamodb:UpdateItem", "Resource": table_arn},
        {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
         "Resource": queue_arn},
    ])
    report_role = _role(aws, spec.REPORT_FUNCTION, [
        {"Effect": "Allow", "Action": ["dynamodb:Scan", "dynamodb:PutItem"], "Resource": table_arn},
    ])
    api_fn = deploy_function(spec.API_FUNCTION, FUNCTIONS / "api", role=api_role, timeout_s=10,
                             env={**env, "QUEUE_URL": queue_url})
    deploy_function(spec.WORKER_FUNCTION, FUNCTIONS / "worker", role=worker_role, timeout_s=10, env=env)
    report_fn = deploy_function(spec.REPORT_FUNCTION, FUNCTIONS / "report", role=report_role, timeout_s=30, env=env)

    lam.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=spec.WORKER_FUNCTION, BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )

    api_id = gateway.create_rest_api(name=spec.API)["id"]
    root = gateway.get_resources(restApiId=api_id)["items"][0]["id"]
    authorizer = gateway.create_authorizer(
        restApiId=api_id, name=spec.POOL, type="COGNITO_USER_POOLS",
        providerARNs=[pool["Arn"]], identitySource="method.request.header.Authorization",
    )["id"]
    orders = gateway.create_resource(restApiId=api_id, parentId=root, pathPart="orders")["id"]
    one_order = gateway.create_resource(restApiId=api_id, parentId=orders, pathPart="{orderId}")["id"]
    uri = f"arn:aws:apigateway:{aws.region}:lambda:path/2015-03-31/functions/{api_fn.arn}/invocations"
    for resource, method in ((orders, "POST"), (one_order, "GET")):
        gateway.put_method(restApiId=api_id, resourceId=resource, httpMethod=method,
                           authorizationType="COGNITO_USER_POOLS", authorizerId=authorizer)
        gateway.put_integration(restApiId=api_id, resourceId=resource, httpMethod=method,
                                type="AWS_PROXY", integrationHttpMethod="POST", uri=uri)
    gateway.create_deployment(restApiId=api_id, stageName=spec.STAGE)
    lam.add_permission(
        FunctionName=spec.API_FUNCTION, StatementId="apigateway-invoke", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{aws.region}:{aws.account_id}:{api_id}/*",
    )

    rule_arn = events.put_rule(Name=spec.RULE, ScheduleExpression="cron(0 6 * * ? *)")["RuleArn"]
    events.put_targets(Rule=spec.RULE, Targets=[{"Id": "report", "Arn": report_fn.arn}])
    lam.add_permission(
        FunctionName=spec.REPORT_FUNCTION, StatementId="eventbridge-invoke", Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com", SourceArn=rule_arn,
    )
    return {"user_pool_id": pool["Id"], "api_id": api_id, "queue_url": queue_url}
