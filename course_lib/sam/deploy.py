"""Build a SAM template in the sandbox: the round trip that proves an export is complete.

    from course_lib import sam
    deployed = sam.deploy_local(aws, "my-app")      # my-app/template.yaml + functions/
    deployed.physical["CapstoneOrdersTable"]         # what each logical id became

What it emulates: what ``sam deploy`` and CloudFormation do with the template, for the resource
types :mod:`course_lib.sam.export` writes: it resolves ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub``
(with the pseudo parameters), creates resources in dependency order with plain boto3 calls, and
expands the SAM parts (``AWS::Serverless::Function`` with its ``Api``, ``HttpApi`` and ``S3`` events
and function URL, ``AWS::Serverless::Api`` with Cognito authorizers, ``AWS::Serverless::HttpApi``),
adding the invoke permissions SAM adds.

Differs from AWS: no stack (nothing to update or roll back: a resource that fails stops the
deploy with its logical id and type in the message), no change sets, and only those resource
types; anything else is refused by name rather than skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml


class TemplateError(ValueError):
    """The template asks for something this local deploy cannot do; names the resource."""


@dataclass
class Deployed:
    folder: Path
    physical: dict[str, str] = field(default_factory=dict)  # logical id -> Ref value
    order: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<Deployed {len(self.order)} resources from {self.folder / 'template.yaml'}>"


_PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None}


def _references(value: Any) -> set[str]:
    """Logical ids a property value refers to."""
    found: set[str] = set()
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            found.add(value["Ref"])
        elif set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            found.add(target[0] if isinstance(target, list) else str(target).split(".")[0])
        elif set(value) == {"Fn::Sub"}:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            found |= {m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text)}
        for inner in value.values():
            found |= _references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _references(inner)
    return {name for name in found if not name.startswith("AWS::")}


class _Deployer:
    def __init__(self, aws: Any, folder: Path, template: dict[str, Any]) -> None:
        self.aws = aws
        self.folder = folder
        self.template = template
        self.resources: dict[str, dict[str, Any]] = template.get("Resources") or {}
        self.attrs: dict[str, dict[str, Any]] = {}
        self.pseudo = {**_PSEUDO, "AWS::Region": aws.region, "AWS::AccountId": aws.account_id,
                       "AWS::StackName": folder.name, "AWS::StackId": f"local-{folder.name}"}
        self.api_routes: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}  # api logical -> (function, path/method, event)
        self.authorizers: dict[str, dict[str, str]] = {}  # api logical -> authorizer name -> id

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    # -- intrinsic functions -----------------------------------------------------------------
    def resolve(self, value: Any, where: str = "") -> Any:
        if isinstance(value, dict):
            if set(value) == {"Ref"}:
                return self._ref(value["Ref"], where)
            if set(value) == {"Fn::GetAtt"}:
                target = value["Fn::GetAtt"]
                logical, attribute = target if isinstance(target, list) else str(target).split(".", 1)
                return self._attr(logical, attribute, where)
            if set(value) == {"Fn::Sub"}:
                return self._sub(value["Fn::Sub"], where)
            if set(value) == {"Fn::Join"}:
                separator, parts = value["Fn::Join"]
                return separator.join(str(self.resolve(p, where)) for p in parts)
            if any(key.startswith("Fn::") for key in value):
                raise TemplateError(f"{where}: {next(iter(value))} is not supported by the local deploy")
            return {k: self.resolve(v, where) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, where) for v in value]
        return value

    def _ref(self, name: str, where: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        return self._attr(name, "Ref", where)

    def _attr(self, logical: str, attribute: str, where: str) -> Any:
        if logical not in self.attrs:
            raise TemplateError(f"{where}: refers to `{logical}`, which the template does not define (or is not created yet)")
        attrs = self.attrs[logical]
        if attribute not in attrs:
            raise TemplateError(f"{where}: `{logical}` has no attribute {attribute} here (it has {', '.join(sorted(attrs))})")
        return attrs[attribute]

    def _sub(self, spec: Any, where: str) -> str:
        text, variables = (spec, {}) if isinstance(spec, str) else (spec[0], spec[1])

        def replace(match: re.Match[str]) -> str:
            token = match.group(1)
            if token.startswith("!"):
                return "${" + token[1:] + "}"
            if token in variables:
                return str(self.resolve(variables[token], where))
            if "." in token:
                logical, attribute = token.split(".", 1)
                return str(self._attr(logical, attribute, where))
            return str(self._ref(token, where))

        return re.sub(r"\$\{([^}]*)\}", replace, text)

    # -- order ---------------------------------------------------------------------------------
    def order(self) -> list[str]:
        deps = {}
        for logical, body in self.resources.items():
            properties = dict(body.get("Properties") or {})
            properties.pop("Events", None)  # events are wired after every resource exists
            deps[logical] = {d for d in _references(properties) | set(_as_list(body.get("DependsOn"))) if d != logical}
            missing = deps[logical] - set(self.resources)
            if missing:
                raise TemplateError(f"{logical}: refers to {', '.join(sorted(missing))}, which the template does not define")
        ordered: list[str] = []
        ready = sorted(name for name, d in deps.items() if not d)
        while ready:
            name = ready.pop(0)
            ordered.append(name)
            for other, d in deps.items():
                if name in d:
                    d.discard(name)
                    if not d and other not in ordered and other not in ready:
                        ready.append(other)
            ready.sort()
        if len(ordered) != len(deps):
            stuck = sorted(set(deps) - set(ordered))
            raise TemplateError(f"circular references between {', '.join(stuck)}")
        return ordered

    # -- resource types ----------------------------------------------------------------------------
    def create(self, logical: str) -> None:
        body = self.resources[logical]
        kind = body.get("Type", "")
        creator = _CREATORS.get(kind)
        if creator is None:
            raise TemplateError(f"{logical}: resource type {kind} is not supported by the local deploy "
                                f"(supported: {', '.join(sorted(_CREATORS))})")
        where = f"{logical} ({kind})"
        properties = body.get("Properties") or {}
        if kind == "AWS::Serverless::Function":
            resolved = {k: (v if k == "Events" else self.resolve(v, where)) for k, v in properties.items()}
        else:
            resolved = self.resolve(properties, where)
        try:
            self.attrs[logical] = creator(self, logical, resolved)
        except TemplateError:
            raise
        except Exception as error:  # a boto3 error here names the resource it came from
            raise TemplateError(f"{where}: {type(error).__name__}: {error}") from error

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.aws.region}:{self.aws.account_id}:{resource}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _role(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    iam = d.client("iam")
    name = p.get("RoleName") or logical
    role = iam.create_role(RoleName=name, Path=p.get("Path", "/"),
                           AssumeRolePolicyDocument=json.dumps(p["AssumeRolePolicyDocument"]))["Role"]
    for policy in p.get("Policies", []):
        iam.put_role_policy(RoleName=name, PolicyName=policy["PolicyName"], PolicyDocument=json.dumps(policy["PolicyDocument"]))
    for arn in p.get("ManagedPolicyArns", []):
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    return {"Ref": name, "Arn": role["Arn"], "RoleId": role["RoleId"]}


def _function(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    from course_lib.runtime import deploy_function

    name = p.get("FunctionName") or logical
    code = d.folder / str(p.get("CodeUri", "."))
    if not code.exists():
        raise TemplateError(f"{logical}: CodeUri {p.get('CodeUri')} is not a folder next to the template")
    info = deploy_function(
        name, code, p.get("Handler", "app.handler"), runtime=p.get("Runtime"), memory_mb=int(p.get("MemorySize", 128)),
        timeout_s=int(p.get("Timeout", 3)), env=(p.get("Environment") or {}).get("Variables"), role=p.get("Role"),
        architecture=(p.get("Architectures") or ["x86_64"])[0], description=p.get("Description", ""),
    )
    lam = d.client("lambda")
    url = p.get("FunctionUrlConfig")
    if url:
        lam.create_function_url_config(FunctionName=name, AuthType=url.get("AuthType", "AWS_IAM"),
                                       **({"Cors": url["Cors"]} if url.get("Cors") else {}))
        if url.get("AuthType") == "NONE":  # what SAM adds for a public URL
            lam.add_permission(FunctionName=name, StatementId="FunctionURLAllowPublicAccess", Action="lambda:InvokeFunctionUrl",
                               Principal="*", FunctionUrlAuthType="NONE")
    if p.get("DeadLetterQueue"):
        lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": p["DeadLetterQueue"]["TargetArn"]})
    invoke_config = p.get("EventInvokeConfig")
    if invoke_config:
        kwargs = {k: invoke_config[k] for k in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds") if k in invoke_config}
        destinations = {outcome: {"Destination": target["Destination"]}
                        for outcome, target in (invoke_config.get("DestinationConfig") or {}).items()}
        if destinations:
            kwargs["DestinationConfig"] = destinations
        lam.put_function_event_invoke_config(FunctionName=name, **kwargs)
    return {"Ref": name, "Arn": info.arn}


def _api(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    gateway = d.client("apigateway")
    api = gateway.create_rest_api(name=p.get("Name") or logical, description=p.get("Description", ""))
    d.authorizers[logical] = {}
    for auth_name, config in ((p.get("Auth") or {}).get("Authorizers") or {}).items():
        if "UserPoolArn" not in config:
            raise TemplateError(f"{logical}: authorizer {auth_name} is not a Cognito user pool authorizer")
        header = (config.get("Identity") or {}).get("Header", "Authorization")
        created = gateway.create_authorizer(restApiId=api["id"], name=auth_name, type="COGNITO_USER_POOLS",
                                            providerARNs=_as_list(config["UserPoolArn"]),
                                            identitySource=f"method.request.header.{header}")
        d.authorizers[logical][auth_name] = created["id"]
    return {"Ref": api["id"], "RootResourceId": gateway.get_resources(restApiId=api["id"])["items"][0]["id"],
            "StageName": p.get("StageName", "Prod")}


def _http_api(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    gateway = d.client("apigatewayv2")
    kwargs: dict[str, Any] = {"Name": p.get("Name") or logical, "ProtocolType": "HTTP"}
    if p.get("CorsConfiguration"):
        kwargs["CorsConfiguration"] = p["CorsConfiguration"]
    api = gateway.create_api(**kwargs)
    stage = p.get("StageName", "$default")
    gateway.create_stage(ApiId=api["ApiId"], StageName=stage, AutoDeploy=True)
    return {"Ref": api["ApiId"], "ApiEndpoint": api.get("ApiEndpoint", ""), "StageName": stage}


def _bucket_policy(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    d.client("s3").put_bucket_policy(Bucket=p["Bucket"], Policy=json.dumps(p["PolicyDocument"]))
    return {"Ref": logical}


def _schedule(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    kwargs = {k: p[k] for k in ("ScheduleExpression", "ScheduleExpressionTimezone", "FlexibleTimeWindow", "State",
                                "Target", "GroupName", "Description") if k in p}
    kwargs.setdefault("FlexibleTimeWindow", {"Mode": "OFF"})
    arn = d.client("scheduler").create_schedule(Name=p.get("Name") or logical, **kwargs)["ScheduleArn"]
    return {"Ref": p.get("Name") or logical, "Arn": arn}


def _table(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    ddb = d.client("dynamodb")
    kwargs = {k: p[k] for k in ("TableName", "KeySchema", "AttributeDefinitions", "BillingMode", "ProvisionedThroughput",
                                "GlobalSecondaryIndexes", "LocalSecondaryIndexes") if k in p}
    kwargs.setdefault("TableName", logical)
    if p.get("StreamSpecification"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
    table = ddb.create_table(**kwargs)["TableDescription"]
    if (p.get("TimeToLiveSpecification") or {}).get("Enabled"):
        ddb.update_time_to_live(TableName=kwargs["TableName"], TimeToLiveSpecification=p["TimeToLiveSpecification"])
    return {"Ref": kwargs["TableName"], "Arn": table["TableArn"], "StreamArn": table.get("LatestStreamArn", "")}


def _queue(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    sqs = d.client("sqs")
    name = p.get("QueueName") or logical
    attributes = {}
    for key, value in p.items():
        if key == "QueueName":
            continue
        attributes[key] = json.dumps(value) if isinstance(value, dict) else str(value).lower() if isinstance(value, bool) else str(value)
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"Ref": url, "Arn": arn, "QueueName": name, "QueueUrl": url}


def _queue_policy(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    for url in p["Queues"]:
        d.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(p["PolicyDocument"])})
    return {"Ref": logical}


def _topic(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    name = p.get("TopicName") or logical
    attributes = {"FifoTopic": "true"} if p.get("FifoTopic") else {}
    arn = d.client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]
    return {"Ref": arn, "TopicArn": arn, "TopicName": name}


def _subscription(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    attributes = {}
    if p.get("FilterPolicy"):
        attributes["FilterPolicy"] = json.dumps(p["FilterPolicy"])
        if p.get("FilterPolicyScope"):
            attributes["FilterPolicyScope"] = p["FilterPolicyScope"]
    if p.get("RawMessageDelivery"):
        attributes["RawMessageDelivery"] = "true"
    arn = d.client("sns").subscribe(TopicArn=p["TopicArn"], Protocol=p["Protocol"], Endpoint=p["Endpoint"],
                                    Attributes=attributes, ReturnSubscriptionArn=True)["SubscriptionArn"]
    return {"Ref": arn}


def _bucket(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    s3 = d.client("s3")
    name = p.get("BucketName") or logical.lower()
    s3.create_bucket(Bucket=name)
    if (p.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    notifications = p.get("NotificationConfiguration") or {}
    config: dict[str, list[dict[str, Any]]] = {}
    for kind, key in (("QueueConfigurations", "Queue"), ("TopicConfigurations", "Topic")):
        for entry in notifications.get(kind, []):
            item = {f"{key}Arn": entry[key], "Events": [entry["Event"]]}
            if entry.get("Filter"):
                item["Filter"] = entry["Filter"]
            config.setdefault(kind, []).append(item)
    if config:
        s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=config)
    return {"Ref": name, "Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"}


def _stream(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    kinesis = d.client("kinesis")
    name = p.get("Name") or logical
    if (p.get("StreamModeDetails") or {}).get("StreamMode") == "ON_DEMAND":
        kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    else:
        kinesis.create_stream(StreamName=name, ShardCount=int(p.get("ShardCount", 1)))
    hours = int(p.get("RetentionPeriodHours", 24))
    if hours > 24:
        kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=hours)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    return {"Ref": name, "Arn": arn}


def _user_pool(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    kwargs = {k: p[k] for k in ("Policies", "AutoVerifiedAttributes", "UsernameAttributes", "AliasAttributes") if k in p}
    pool = d.client("cognito-idp").create_user_pool(PoolName=p.get("UserPoolName") or logical, **kwargs)["UserPool"]
    return {"Ref": pool["Id"], "Arn": pool["Arn"], "ProviderName": f"cognito-idp.{d.aws.region}.amazonaws.com/{pool['Id']}"}


def _user_pool_client(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    kwargs = {k: p[k] for k in ("ExplicitAuthFlows", "AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs", "LogoutURLs",
                                "SupportedIdentityProviders", "AllowedOAuthFlowsUserPoolClient", "GenerateSecret") if k in p}
    client = d.client("cognito-idp").create_user_pool_client(UserPoolId=p["UserPoolId"], ClientName=p.get("ClientName") or logical,
                                                             **kwargs)["UserPoolClient"]
    return {"Ref": client["ClientId"], "ClientSecret": client.get("ClientSecret", "")}


def _group(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    kwargs = {"Description": p["Description"]} if p.get("Description") else {}
    d.client("cognito-idp").create_group(UserPoolId=p["UserPoolId"], GroupName=p.get("GroupName") or logical, **kwargs)
    return {"Ref": p.get("GroupName") or logical}


def _event_bus(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    arn = d.client("events").create_event_bus(Name=p["Name"])["EventBusArn"]
    return {"Ref": p["Name"], "Arn": arn, "Name": p["Name"]}


def _rule(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    events = d.client("events")
    name = p.get("Name") or logical
    kwargs: dict[str, Any] = {"Name": name, "State": p.get("State", "ENABLED")}
    for key in ("ScheduleExpression", "Description", "EventBusName", "RoleArn"):
        if p.get(key):
            kwargs[key] = p[key]
    if p.get("EventPattern"):
        kwargs["EventPattern"] = json.dumps(p["EventPattern"])
    arn = events.put_rule(**kwargs)["RuleArn"]
    targets = [dict(t) for t in p.get("Targets", [])]
    for target in targets:
        if isinstance(target.get("Input"), dict):
            target["Input"] = json.dumps(target["Input"])
    if targets:
        events.put_targets(Rule=name, EventBusName=p.get("EventBusName", "default"), Targets=targets)
    return {"Ref": name, "Arn": arn}


def _state_machine(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    definition = p.get("DefinitionString") or json.dumps(p.get("Definition"))
    name = p.get("StateMachineName") or logical
    arn = d.client("stepfunctions").create_state_machine(name=name, definition=definition, roleArn=p["RoleArn"],
                                                         type=p.get("StateMachineType", "STANDARD"))["stateMachineArn"]
    return {"Ref": arn, "Arn": arn, "Name": name}


def _mapping(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    mapping = d.client("lambda").create_event_source_mapping(**p)
    return {"Ref": mapping["UUID"]}


def _permission(d: _Deployer, logical: str, p: dict[str, Any]) -> dict[str, Any]:
    kwargs = {k: p[k] for k in ("FunctionName", "Action", "Principal", "SourceArn", "SourceAccount", "FunctionUrlAuthType") if k in p}
    d.client("lambda").add_permission(StatementId=logical, **kwargs)
    return {"Ref": logical}


_CREATORS: dict[str, Callable[[_Deployer, str, dict[str, Any]], dict[str, Any]]] = {
    "AWS::IAM::Role": _role,
    "AWS::Serverless::Function": _function,
    "AWS::Serverless::Api": _api,
    "AWS::Serverless::HttpApi": _http_api,
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::Scheduler::Schedule": _schedule,
    "AWS::DynamoDB::Table": _table,
    "AWS::SQS::Queue": _queue,
    "AWS::SQS::QueuePolicy": _queue_policy,
    "AWS::SNS::Topic": _topic,
    "AWS::SNS::Subscription": _subscription,
    "AWS::S3::Bucket": _bucket,
    "AWS::Kinesis::Stream": _stream,
    "AWS::Cognito::UserPool": _user_pool,
    "AWS::Cognito::UserPoolClient": _user_pool_client,
    "AWS::Cognito::UserPoolGroup": _group,
    "AWS::Events::EventBus": _event_bus,
    "AWS::Events::Rule": _rule,
    "AWS::StepFunctions::StateMachine": _state_machine,
    "AWS::Lambda::EventSourceMapping": _mapping,
    "AWS::Lambda::Permission": _permission,
}


# -- SAM events, once every resource exists --------------------------------------------------------
def _wire_events(d: _Deployer) -> None:
    lam, s3, gateway = d.client("lambda"), d.client("s3"), d.client("apigateway")
    apis: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for logical, body in d.resources.items():
        if body.get("Type") != "AWS::Serverless::Function":
            continue
        function = d.attrs[logical]
        for event_name, event in ((body.get("Properties") or {}).get("Events") or {}).items():
            where = f"{logical} event {event_name}"
            props = d.resolve(event.get("Properties") or {}, where)
            if event.get("Type") == "Api":
                api_logical = (event["Properties"].get("RestApiId") or {}).get("Ref")
                if api_logical not in d.attrs:
                    raise TemplateError(f"{where}: RestApiId must be a Ref to an AWS::Serverless::Api in the template")
                apis.setdefault(api_logical, []).append((logical, props))
            elif event.get("Type") == "HttpApi":
                api_logical = (event["Properties"].get("ApiId") or {}).get("Ref")
                if api_logical not in d.attrs:
                    raise TemplateError(f"{where}: ApiId must be a Ref to an AWS::Serverless::HttpApi in the template")
                v2 = d.client("apigatewayv2")
                api_id = d.attrs[api_logical]["Ref"]
                integration = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function["Arn"],
                                                    PayloadFormatVersion=str(props.get("PayloadFormatVersion", "2.0")))
                route_key = f"{props['Method'].upper()} {props['Path']}" if props.get("Path") else "$default"
                v2.create_route(ApiId=api_id, RouteKey=route_key, Target=f"integrations/{integration['IntegrationId']}")
                statement = f"{api_logical}-invoke"
                policy = _policy_ids(lam, function["Ref"])
                if statement not in policy:
                    lam.add_permission(FunctionName=function["Ref"], StatementId=statement, Action="lambda:InvokeFunction",
                                       Principal="apigateway.amazonaws.com",
                                       SourceArn=f"arn:aws:execute-api:{d.aws.region}:{d.aws.account_id}:{api_id}/*")
            elif event.get("Type") == "S3":
                bucket = props["Bucket"]
                lam.add_permission(FunctionName=function["Ref"], StatementId=f"{event_name}-s3", Action="lambda:InvokeFunction",
                                   Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}")
                config = s3.get_bucket_notification_configuration(Bucket=bucket)
                config.pop("ResponseMetadata", None)
                entry = {"LambdaFunctionArn": function["Arn"], "Events": _as_list(props["Events"])}
                if props.get("Filter"):
                    entry["Filter"] = props["Filter"]
                config.setdefault("LambdaFunctionConfigurations", []).append(entry)
                s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
            else:
                raise TemplateError(f"{where}: event type {event.get('Type')} is not supported by the local deploy (Api, HttpApi, S3 are)")
    for api_logical, routes in apis.items():
        api_id, root = d.attrs[api_logical]["Ref"], d.attrs[api_logical]["RootResourceId"]
        resources = {"/": root}
        for function_logical, props in routes:
            path = props["Path"]
            parent = "/"
            for segment in [s for s in path.split("/") if s]:
                here = (parent.rstrip("/") + "/" + segment)
                if here not in resources:
                    resources[here] = gateway.create_resource(restApiId=api_id, parentId=resources[parent], pathPart=segment)["id"]
                parent = here
            method = props["Method"].upper()
            method = "ANY" if method == "ANY" else method
            auth = props.get("Auth") or {}
            kwargs: dict[str, Any] = {"authorizationType": "NONE"}
            if auth.get("Authorizer") and auth["Authorizer"] != "NONE":
                authorizer = d.authorizers[api_logical].get(auth["Authorizer"])
                if authorizer is None:
                    raise TemplateError(f"{function_logical}: authorizer {auth['Authorizer']} is not defined on {api_logical}")
                kwargs = {"authorizationType": "COGNITO_USER_POOLS", "authorizerId": authorizer}
                if auth.get("AuthorizationScopes"):
                    kwargs["authorizationScopes"] = auth["AuthorizationScopes"]
            function_arn = d.attrs[function_logical]["Arn"]
            gateway.put_method(restApiId=api_id, resourceId=resources[parent], httpMethod=method, **kwargs)
            gateway.put_integration(restApiId=api_id, resourceId=resources[parent], httpMethod=method, type="AWS_PROXY",
                                    integrationHttpMethod="POST",
                                    uri=f"arn:aws:apigateway:{d.aws.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations")
        stage = d.attrs[api_logical]["StageName"]
        gateway.create_deployment(restApiId=api_id, stageName=stage)
        for function_logical in sorted({f for f, _ in routes}):
            lam.add_permission(FunctionName=d.attrs[function_logical]["Ref"], StatementId=f"{api_logical}-invoke",
                               Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                               SourceArn=f"arn:aws:execute-api:{d.aws.region}:{d.aws.account_id}:{api_id}/*")


def _policy_ids(lam: Any, function: str) -> set[str]:
    try:
        return {st.get("Sid", "") for st in json.loads(lam.get_policy(FunctionName=function)["Policy"]).get("Statement", [])}
    except lam.exceptions.ResourceNotFoundException:
        return set()


def deploy_local(aws: Any, folder: str | Path) -> Deployed:
    """Create everything ``folder/template.yaml`` describes in ``aws``, code from ``folder``."""
    target = Path(folder)
    path = target / "template.yaml"
    if not path.is_file():
        raise TemplateError(f"No template at {path}")
    try:
        template = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise TemplateError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise TemplateError(f"{path} has no Resources section")
    deployer = _Deployer(aws, target, template)
    result = Deployed(target)
    for logical in deployer.order():
        deployer.create(logical)
        result.order.append(logical)
        result.physical[logical] = str(deployer.attrs[logical].get("Ref", ""))
    _wire_events(deployer)
    return result
