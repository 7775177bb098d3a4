"""Export what a learner built in the sandbox as an AWS SAM template plus the functions' code.

    from course_lib import sam
    result = sam.export(aws, "my-app")     # my-app/template.yaml, my-app/functions/<name>/...
    result.resources                       # logical id -> type, what went in
    result.warnings                        # what could not be expressed, and why

Reads the sandbox with plain boto3 list/describe calls (the functions' code comes from the local
runtime, see :func:`course_lib.runtime.hook.code_of`) and writes a template ``sam deploy`` takes:

* functions (``AWS::Serverless::Function``, ``CodeUri: functions/<name>/``), each with its own
  ``AWS::IAM::Role`` carrying the learner's policies (inline and customer managed policies become
  inline policies; AWS managed ones stay ``ManagedPolicyArns``);
* REST APIs whose methods are Lambda proxy integrations (``AWS::Serverless::Api`` plus an ``Api``
  event on each function, Cognito user pool authorizers included), HTTP APIs (``AWS::Serverless::HttpApi``
  and ``HttpApi`` events, CORS included), function URLs, S3 notifications to functions (``S3``
  events), tables, queues and queue policies, buckets and bucket policies, topics and subscriptions,
  Kinesis streams, Cognito user pools, clients and groups, EventBridge rules (schedules and
  patterns) with targets, EventBridge Scheduler schedules, state machines, event source mappings,
  and every other resource-policy permission on a function.

Names and ARNs become references: every ARN, queue URL, table/bucket/topic name, user pool id
and API id the sandbox shows is replaced by ``Ref``/``Fn::GetAtt``/``Fn::Sub`` on the resource it
names, and whatever is left of the account and Region becomes ``${AWS::AccountId}`` and
``${AWS::Region}``. Physical names (``FunctionName``, ``TableName``...) are kept, so the app
deployed from the template has the names the code and the checker expect; roles are named by
CloudFormation (``sam deploy --capabilities CAPABILITY_IAM``).

What is not exported, and is listed in ``warnings``: data (items, objects, messages, users),
WebSocket APIs, Lambda and JWT authorizers, non-proxy integrations, layers, and more than one stage
per API. Topic policies are not exported (SNS gives every topic a default one).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_SERVICE_PRINCIPALS_COVERED_BY_EVENTS = {"apigateway.amazonaws.com", "s3.amazonaws.com"}
_COURSE_TAG = "course_lib.sam.export"


@dataclass
class ExportResult:
    folder: Path
    template: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def template_path(self) -> Path:
        return self.folder / "template.yaml"

    @property
    def resources(self) -> dict[str, str]:
        return {name: body["Type"] for name, body in self.template["Resources"].items()}

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for kind in self.resources.values():
            counts[kind] = counts.get(kind, 0) + 1
        return dict(sorted(counts.items()))

    def __repr__(self) -> str:
        return f"<ExportResult {self.folder}/template.yaml: {len(self.resources)} resources, {len(self.warnings)} not exported>"

    def _repr_markdown_(self) -> str:
        rows = "\n".join(f"| `{kind}` | {n} |" for kind, n in self.counts().items())
        notes = "\n".join(f"- {w}" for w in self.warnings) or "- nothing: every resource was exported"
        return (f"**Exported to `{self.folder.name}/`**: `template.yaml` and "
                f"{sum(1 for k in self.resources.values() if k == 'AWS::Serverless::Function')} function folder(s).\n\n"
                f"| Resource type | How many |\n|---|---|\n{rows}\n\n**Not exported:**\n{notes}")


# -- references ------------------------------------------------------------------------------------
class _References:
    """Literal names, ids and ARNs the sandbox shows -> the intrinsic functions that name them."""

    def __init__(self, account: str, region: str) -> None:
        self.account, self.region = account, region
        self.exact: dict[str, Any] = {}      # literal -> {"Ref": ...} / {"Fn::GetAtt": [...]}
        self.sub: dict[str, str] = {}        # literal -> "${Logical.Attr}" for use inside Fn::Sub
        self.names: dict[str, Any] = {}      # plain names, only replaced where a name is expected

    def add(self, literal: str | None, logical: str, attribute: str | None = None, *, name: bool = False) -> None:
        if not literal:
            return
        intrinsic = {"Ref": logical} if attribute is None else {"Fn::GetAtt": [logical, attribute]}
        if name:
            self.names.setdefault(literal, intrinsic)
            return
        self.exact.setdefault(literal, intrinsic)
        self.sub.setdefault(literal, "${%s}" % (logical if attribute is None else f"{logical}.{attribute}"))

    def convert(self, value: Any, *, names: bool = False) -> Any:
        """``value`` with every literal reference replaced (recursively for lists and dicts)."""
        if isinstance(value, dict):
            return {k: self.convert(v, names=names) for k, v in value.items()}
        if isinstance(value, list):
            return [self.convert(v, names=names) for v in value]
        if not isinstance(value, str):
            return value
        if value in self.exact:
            return self.exact[value]
        if names and value in self.names:
            return self.names[value]
        return self.substitute(value)

    def substitute(self, text: str) -> Any:
        """A string that mentions ARNs, the account or the Region becomes ``Fn::Sub``."""
        escaped = text.replace("${", "${!")
        changed = escaped
        for literal in sorted(self.sub, key=len, reverse=True):
            if literal in changed and len(literal) > 12:
                changed = changed.replace(literal, self.sub[literal])
        changed = re.sub(r"arn:aws:", "arn:${AWS::Partition}:", changed)
        changed = changed.replace(f":{self.account}:", ":${AWS::AccountId}:")
        changed = changed.replace(f"::{self.account}:", "::${AWS::AccountId}:")
        changed = changed.replace(f":{self.region}:", ":${AWS::Region}:")
        changed = changed.replace(f".{self.region}.", ".${AWS::Region}.")
        return text if changed == escaped else {"Fn::Sub": changed}


def _logical(name: str, suffix: str, taken: set[str]) -> str:
    """``capstone-orders-queue`` + ``Queue`` -> ``CapstoneOrdersQueue`` (unique in ``taken``)."""
    base = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part) or "Resource"
    if base[0].isdigit():
        base = "R" + base
    # "orders-queue" + Queue -> OrdersQueue; "thumbs-http" + HttpApi -> ThumbsHttpApi
    words = re.findall(r"[A-Z][a-z0-9]*", suffix)
    for k in range(len(words), 0, -1):
        tail = "".join(words[:k])
        if base.lower().endswith(tail.lower()) and len(base) > len(tail):
            base = base[: -len(tail)]
            break
    candidate, n = base + suffix, 2
    while candidate in taken:
        candidate, n = f"{base}{suffix}{n}", n + 1
    taken.add(candidate)
    return candidate


def _paginate(client: Any, method: str, key: str, **kwargs: Any) -> list[Any]:
    if client.can_paginate(method):
        return [item for page in client.get_paginator(method).paginate(**kwargs) for item in page.get(key, [])]
    return list(getattr(client, method)(**kwargs).get(key, []))


# -- the exporter --------------------------------------------------------------------------------
class _Exporter:
    def __init__(self, aws: Any, folder: Path) -> None:
        self.aws = aws
        self.folder = folder
        self.refs = _References(aws.account_id, aws.region)
        self.taken: set[str] = set()
        self.resources: dict[str, dict[str, Any]] = {}
        self.warnings: list[str] = []
        self.functions: dict[str, dict[str, Any]] = {}  # function name -> {"logical", "config", ...}
        self.roles: dict[str, str] = {}  # role ARN -> logical id

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def used(self, service: str) -> bool:
        from course_lib.inventory import may_hold_resources

        return may_hold_resources(service)

    # -- discovery: give every resource a logical id and register its names and ARNs ---------------
    def discover(self) -> None:
        lam, iam = self.client("lambda"), self.client("iam")
        for config in _paginate(lam, "list_functions", "Functions"):
            logical = _logical(config["FunctionName"], "Function", self.taken)
            self.functions[config["FunctionName"]] = {"logical": logical, "config": config, "events": {}}
            self.refs.add(config["FunctionArn"], logical, "Arn")
            self.refs.add(config["FunctionName"], logical, name=True)
            role_arn = config["Role"]
            if role_arn not in self.roles:
                self.roles[role_arn] = _logical(role_arn.rsplit("/", 1)[-1], "Role", self.taken)
                self.refs.add(role_arn, self.roles[role_arn], "Arn")
        self.tables = {}
        ddb = self.client("dynamodb")
        for name in _paginate(ddb, "list_tables", "TableNames"):
            table = ddb.describe_table(TableName=name)["Table"]
            logical = _logical(name, "Table", self.taken)
            self.tables[name] = (logical, table)
            self.refs.add(table["TableArn"], logical, "Arn")
            self.refs.add(table.get("LatestStreamArn"), logical, "StreamArn")
            self.refs.add(name, logical, name=True)
        sqs = self.client("sqs")
        self.queues = {}
        for url in sqs.list_queues().get("QueueUrls", []):
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            name = attributes["QueueArn"].rsplit(":", 1)[-1]
            logical = _logical(name.removesuffix(".fifo"), "Queue", self.taken)
            self.queues[name] = (logical, url, attributes)
            self.refs.add(url, logical)
            self.refs.add(attributes["QueueArn"], logical, "Arn")
            self.refs.add(name, logical, "QueueName", name=True)
        sns = self.client("sns")
        self.topics = {}
        for topic in _paginate(sns, "list_topics", "Topics") if self.used("sns") else []:
            arn = topic["TopicArn"]
            name = arn.rsplit(":", 1)[-1]
            logical = _logical(name.removesuffix(".fifo"), "Topic", self.taken)
            self.topics[arn] = logical
            self.refs.add(arn, logical)
            self.refs.add(name, logical, "TopicName", name=True)
        s3 = self.client("s3")
        self.buckets = {}
        for bucket in s3.list_buckets().get("Buckets", []):
            logical = _logical(bucket["Name"], "Bucket", self.taken)
            self.buckets[bucket["Name"]] = logical
            self.refs.add(f"arn:aws:s3:::{bucket['Name']}", logical, "Arn")
            self.refs.add(bucket["Name"], logical, name=True)
        kinesis = self.client("kinesis")
        self.streams = {}
        for name in kinesis.list_streams().get("StreamNames", []) if self.used("kinesis") else []:
            summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            logical = _logical(name, "Stream", self.taken)
            self.streams[name] = (logical, summary)
            self.refs.add(summary["StreamARN"], logical, "Arn")
            self.refs.add(name, logical, name=True)
        idp = self.client("cognito-idp")
        self.pools = {}
        for listed in idp.list_user_pools(MaxResults=60).get("UserPools", []) if self.used("cognito-idp") else []:
            pool = idp.describe_user_pool(UserPoolId=listed["Id"])["UserPool"]
            logical = _logical(pool["Name"], "UserPool", self.taken)
            clients = []
            for entry in idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60).get("UserPoolClients", []):
                client = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=entry["ClientId"])["UserPoolClient"]
                client_logical = _logical(client["ClientName"], "Client", self.taken)
                clients.append((client_logical, client))
                self.refs.add(client["ClientId"], client_logical)
            groups = idp.list_groups(UserPoolId=pool["Id"]).get("Groups", [])
            self.pools[pool["Id"]] = (logical, pool, clients, groups)
            self.refs.add(pool["Arn"], logical, "Arn")
            self.refs.add(pool["Id"], logical)
        sfn = self.client("stepfunctions")
        self.machines = {}
        for listed in _paginate(sfn, "list_state_machines", "stateMachines") if self.used("stepfunctions") else []:
            machine = sfn.describe_state_machine(stateMachineArn=listed["stateMachineArn"])
            logical = _logical(machine["name"], "StateMachine", self.taken)
            self.machines[machine["stateMachineArn"]] = (logical, machine)
            self.refs.add(machine["stateMachineArn"], logical)
            if machine["roleArn"] not in self.roles:
                self.roles[machine["roleArn"]] = _logical(machine["roleArn"].rsplit("/", 1)[-1], "Role", self.taken)
                self.refs.add(machine["roleArn"], self.roles[machine["roleArn"]], "Arn")
        gateway = self.client("apigateway")
        self.rest_apis = []
        for api in _paginate(gateway, "get_rest_apis", "items") if self.used("apigateway") else []:
            logical = _logical(api["name"], "Api", self.taken)
            self.rest_apis.append((logical, api))
            self.refs.add(api["id"], logical)
        self.http_apis = []
        for api in self.client("apigatewayv2").get_apis().get("Items", []) if self.used("apigatewayv2") else []:
            if api.get("ProtocolType") != "HTTP":
                self.warnings.append(f"WebSocket API `{api['Name']}`: not exported")
                continue
            logical = _logical(api["Name"], "HttpApi", self.taken)
            self.http_apis.append((logical, api))
            self.refs.add(api["ApiId"], logical)
        events = self.client("events")
        self.rules = []
        for bus in events.list_event_buses().get("EventBuses", []) if self.used("events") else []:
            if bus["Name"] != "default":
                logical = _logical(bus["Name"], "EventBus", self.taken)
                self.resources[logical] = {"Type": "AWS::Events::EventBus", "Properties": {"Name": bus["Name"]}}
                self.refs.add(bus["Arn"], logical, "Arn")
                self.refs.add(bus["Name"], logical, name=True)
            for rule in _paginate(events, "list_rules", "Rules", EventBusName=bus["Name"]):
                if rule.get("ManagedBy"):
                    continue
                logical = _logical(rule["Name"], "Rule", self.taken)
                self.rules.append((logical, bus["Name"], rule))
                self.refs.add(rule["Arn"], logical, "Arn")
        try:
            schedules = self.client("scheduler").list_schedules().get("Schedules", []) if self.used("scheduler") else []
        except Exception:  # noqa: BLE001 - an emulator without EventBridge Scheduler has none to export
            schedules = []
        self.schedules = []
        for listed in schedules:
            schedule = self.client("scheduler").get_schedule(Name=listed["Name"], GroupName=listed.get("GroupName", "default"))
            self.schedules.append((_logical(schedule["Name"], "Schedule", self.taken), schedule))
            role_arn = (schedule.get("Target") or {}).get("RoleArn")
            if role_arn and role_arn not in self.roles:
                self.roles[role_arn] = _logical(role_arn.rsplit("/", 1)[-1], "Role", self.taken)
                self.refs.add(role_arn, self.roles[role_arn], "Arn")

    # -- writing each kind ---------------------------------------------------------------------------
    def put(self, logical: str, kind: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self.resources[logical] = {"Type": kind, "Properties": properties, **extra}
        return self.resources[logical]

    def export_roles(self) -> None:
        iam = self.client("iam")
        for arn, logical in self.roles.items():
            name = arn.rsplit("/", 1)[-1]
            try:
                role = iam.get_role(RoleName=name)["Role"]
            except iam.exceptions.NoSuchEntityException:
                self.warnings.append(f"role `{name}` is used but does not exist; the template creates an empty one")
                role = {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}
            trust = role["AssumeRolePolicyDocument"]
            trust = json.loads(trust) if isinstance(trust, str) else trust
            properties: dict[str, Any] = {"AssumeRolePolicyDocument": trust}
            managed = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", [])] \
                if "Arn" in role else []
            aws_managed = [p for p in managed if p.startswith("arn:aws:iam::aws:policy/")]
            if aws_managed:
                properties["ManagedPolicyArns"] = [p.replace("arn:aws:", "arn:${AWS::Partition}:") for p in aws_managed]
                properties["ManagedPolicyArns"] = [{"Fn::Sub": p} for p in properties["ManagedPolicyArns"]]
            policies = []
            if "Arn" in role:
                for policy_name in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
                    document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
                    policies.append({"PolicyName": policy_name, "PolicyDocument": document})
                for policy_arn in managed:
                    if policy_arn in aws_managed:
                        continue
                    policy = iam.get_policy(PolicyArn=policy_arn)["Policy"]
                    version = iam.get_policy_version(PolicyArn=policy_arn, VersionId=policy["DefaultVersionId"])
                    policies.append({"PolicyName": policy["PolicyName"], "PolicyDocument": version["PolicyVersion"]["Document"]})
            if policies:
                properties["Policies"] = [{"PolicyName": p["PolicyName"], "PolicyDocument": _document(p["PolicyDocument"])} for p in policies]
            self.put(logical, "AWS::IAM::Role", properties)

    def export_functions(self) -> None:
        from course_lib.runtime.hook import code_of

        lam = self.client("lambda")
        for name, entry in self.functions.items():
            config = entry["config"]
            code_dir = self.folder / "functions" / name
            if code_dir.exists():
                shutil.rmtree(code_dir)
            code_dir.mkdir(parents=True)
            with zipfile.ZipFile(io.BytesIO(code_of(name, self.aws.account_id, self.aws.region))) as archive:
                archive.extractall(code_dir)
            properties: dict[str, Any] = {
                "FunctionName": name,
                "CodeUri": f"functions/{name}/",
                "Handler": config["Handler"],
                "Runtime": config["Runtime"],
                "MemorySize": config.get("MemorySize", 128),
                "Timeout": config.get("Timeout", 3),
                "Architectures": config.get("Architectures", ["x86_64"]),
                "Role": {"Fn::GetAtt": [self.roles[config["Role"]], "Arn"]},
            }
            if config.get("Description"):
                properties["Description"] = config["Description"]
            variables = (config.get("Environment") or {}).get("Variables") or {}
            if variables:
                properties["Environment"] = {"Variables": dict(variables)}
            if config.get("Layers"):
                self.warnings.append(f"function `{name}`: its layers are not exported (put their code in the function folder)")
            if config.get("DeadLetterConfig", {}).get("TargetArn"):
                properties["DeadLetterQueue"] = {
                    "Type": "SQS" if ":sqs:" in config["DeadLetterConfig"]["TargetArn"] else "SNS",
                    "TargetArn": config["DeadLetterConfig"]["TargetArn"],
                }
            entry["properties"] = properties
            try:
                url = lam.get_function_url_config(FunctionName=name)
                url_config: dict[str, Any] = {"AuthType": url["AuthType"]}
                if url.get("Cors"):
                    url_config["Cors"] = url["Cors"]
                properties["FunctionUrlConfig"] = url_config
            except lam.exceptions.ResourceNotFoundException:
                pass
            self.put(entry["logical"], "AWS::Serverless::Function", properties)
            self.export_permissions(lam, name, entry)
            self.export_async_config(lam, name, entry)

    def export_permissions(self, lam: Any, name: str, entry: dict[str, Any]) -> None:
        try:
            policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
        except lam.exceptions.ResourceNotFoundException:
            return
        entry["principals"] = set()

        def principal_of(statement: dict[str, Any]) -> str:
            principal = statement.get("Principal")
            return str(principal.get("Service") or principal.get("AWS")) if isinstance(principal, dict) else str(principal)

        # Named by service and source, not by position, so a rebuilt sandbox exports the same ids.
        statements = sorted(policy.get("Statement", []), key=lambda s: (principal_of(s), json.dumps(s.get("Condition"), sort_keys=True)))
        for statement in statements:
            principal = statement.get("Principal")
            service = principal.get("Service") if isinstance(principal, dict) else principal
            if isinstance(principal, dict) and "AWS" in principal:
                service = principal["AWS"]
            entry["principals"].add(service)
            if service in _SERVICE_PRINCIPALS_COVERED_BY_EVENTS:
                continue  # the function's Api/S3 events make these permissions (decided in finish())
            action = statement.get("Action", "lambda:InvokeFunction")
            action = action[0] if isinstance(action, list) and len(action) == 1 else action
            if action == "lambda:InvokeFunctionUrl" and "FunctionUrlConfig" in entry["properties"]:
                continue  # SAM adds the public URL's permission itself
            properties = {"FunctionName": {"Ref": entry["logical"]}, "Action": action, "Principal": service}
            condition = statement.get("Condition") or {}
            source = condition.get("ArnLike", {}).get("AWS:SourceArn")
            if source:
                properties["SourceArn"] = source
            url_auth = condition.get("StringEquals", {}).get("lambda:FunctionUrlAuthType")
            if url_auth:
                properties["FunctionUrlAuthType"] = url_auth
            self.put(_logical(f"{name}-{service.split('.')[0]}", "Permission", self.taken),
                     "AWS::Lambda::Permission", properties)
        entry["policy"] = policy

    def export_async_config(self, lam: Any, name: str, entry: dict[str, Any]) -> None:
        try:
            config = lam.get_function_event_invoke_config(FunctionName=name)
        except lam.exceptions.ResourceNotFoundException:
            return
        async_config: dict[str, Any] = {}
        if "MaximumRetryAttempts" in config:
            async_config["MaximumRetryAttempts"] = config["MaximumRetryAttempts"]
        if "MaximumEventAgeInSeconds" in config:
            async_config["MaximumEventAgeInSeconds"] = config["MaximumEventAgeInSeconds"]
        destinations = {}
        for outcome in ("OnSuccess", "OnFailure"):
            arn = (config.get("DestinationConfig") or {}).get(outcome, {}).get("Destination")
            if arn:
                kind = {"sqs": "SQS", "sns": "SNS", "lambda": "Lambda", "events": "EventBridge"}[arn.split(":")[2]]
                destinations[outcome] = {"Type": kind, "Destination": arn}
        if destinations:
            async_config["DestinationConfig"] = destinations
        if async_config:
            entry["properties"]["EventInvokeConfig"] = async_config

    def export_data(self) -> None:
        ddb = self.client("dynamodb")
        for name, (logical, table) in self.tables.items():
            mode = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
            properties: dict[str, Any] = {
                "TableName": name,
                "KeySchema": table["KeySchema"],
                "AttributeDefinitions": table["AttributeDefinitions"],
                "BillingMode": mode,
            }
            if mode == "PROVISIONED":
                throughput = table.get("ProvisionedThroughput", {})
                properties["ProvisionedThroughput"] = {k: throughput.get(k, 1) for k in ("ReadCapacityUnits", "WriteCapacityUnits")}
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                if table.get(kind):
                    indexes = []
                    for index in table[kind]:
                        spec = {"IndexName": index["IndexName"], "KeySchema": index["KeySchema"], "Projection": index["Projection"]}
                        if kind == "GlobalSecondaryIndexes" and mode == "PROVISIONED":
                            t = index.get("ProvisionedThroughput", {})
                            spec["ProvisionedThroughput"] = {k: t.get(k, 1) for k in ("ReadCapacityUnits", "WriteCapacityUnits")}
                        indexes.append(spec)
                    properties[kind] = indexes
            stream = table.get("StreamSpecification") or {}
            if stream.get("StreamEnabled"):
                properties["StreamSpecification"] = {"StreamViewType": stream["StreamViewType"]}
            ttl = ddb.describe_time_to_live(TableName=name).get("TimeToLiveDescription", {})
            if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
                properties["TimeToLiveSpecification"] = {"AttributeName": ttl["AttributeName"], "Enabled": True}
            self.put(logical, "AWS::DynamoDB::Table", properties)
        defaults = {"VisibilityTimeout": "30", "MessageRetentionPeriod": "345600", "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "0", "MaximumMessageSize": None}
        for name, (logical, url, attributes) in self.queues.items():
            properties = {"QueueName": name}
            for key, default in defaults.items():
                if key in attributes and attributes[key] != default and default is not None:
                    properties[key] = int(attributes[key])
            if attributes.get("FifoQueue") == "true":
                properties["FifoQueue"] = True
                if attributes.get("ContentBasedDeduplication") == "true":
                    properties["ContentBasedDeduplication"] = True
            if attributes.get("RedrivePolicy"):
                redrive = json.loads(attributes["RedrivePolicy"])
                properties["RedrivePolicy"] = {"deadLetterTargetArn": redrive["deadLetterTargetArn"],
                                               "maxReceiveCount": int(redrive["maxReceiveCount"])}
            self.put(logical, "AWS::SQS::Queue", properties)
            if attributes.get("Policy"):  # e.g. what lets an SNS topic or S3 deliver to the queue
                self.put(f"{logical}Policy", "AWS::SQS::QueuePolicy",
                         {"Queues": [url], "PolicyDocument": json.loads(attributes["Policy"])})
        sns = self.client("sns")
        for arn, logical in self.topics.items():
            properties = {"TopicName": arn.rsplit(":", 1)[-1]}
            attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
            if attributes.get("FifoTopic") == "true":
                properties["FifoTopic"] = True
            self.put(logical, "AWS::SNS::Topic", properties)
            for n, sub in enumerate(_paginate(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=arn), start=1):
                sub_properties: dict[str, Any] = {"TopicArn": arn, "Protocol": sub["Protocol"], "Endpoint": sub["Endpoint"]}
                try:
                    sub_attributes = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
                except Exception:  # noqa: BLE001 - a pending subscription has no attributes to copy
                    sub_attributes = {}
                if sub_attributes.get("FilterPolicy"):
                    sub_properties["FilterPolicy"] = json.loads(sub_attributes["FilterPolicy"])
                    if sub_attributes.get("FilterPolicyScope"):
                        sub_properties["FilterPolicyScope"] = sub_attributes["FilterPolicyScope"]
                if sub_attributes.get("RawMessageDelivery") == "true":
                    sub_properties["RawMessageDelivery"] = True
                self.put(_logical(f"{logical}-{sub['Protocol']}-{n}", "Subscription", self.taken), "AWS::SNS::Subscription", sub_properties)
        s3 = self.client("s3")
        for name, logical in self.buckets.items():
            properties = {"BucketName": name}
            if s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled":
                properties["VersioningConfiguration"] = {"Status": "Enabled"}
            notifications = s3.get_bucket_notification_configuration(Bucket=name)
            for config in notifications.get("LambdaFunctionConfigurations", []):
                function = config["LambdaFunctionArn"].split(":")[6]
                if function not in self.functions:
                    self.warnings.append(f"bucket `{name}` notifies `{function}`, which is not in the sandbox")
                    continue
                event = {"Bucket": {"Ref": logical}, "Events": config["Events"]}
                if config.get("Filter"):
                    event["Filter"] = config["Filter"]
                events = self.functions[function]["properties"].setdefault("Events", {})
                events[_logical(f"{name}-upload", "", set(events))] = {"Type": "S3", "Properties": event}
            others = {}
            for kind, key in (("QueueConfigurations", "Queue"), ("TopicConfigurations", "Topic")):
                entries = notifications.get(f"{key}Configurations", [])
                if entries:
                    others[kind] = [{key: c[f"{key}Arn"], "Event": e, **({"Filter": c["Filter"]} if c.get("Filter") else {})}
                                    for c in entries for e in c["Events"]]
            if others:
                properties["NotificationConfiguration"] = others
            self.put(logical, "AWS::S3::Bucket", properties)
            try:
                policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
            except s3.exceptions.ClientError:
                policy = None  # NoSuchBucketPolicy: the usual case
            if policy:
                self.put(f"{logical}Policy", "AWS::S3::BucketPolicy", {"Bucket": {"Ref": logical}, "PolicyDocument": policy})
        for name, (logical, summary) in self.streams.items():
            properties = {"Name": name, "RetentionPeriodHours": summary.get("RetentionPeriodHours", 24)}
            if (summary.get("StreamModeDetails") or {}).get("StreamMode") == "ON_DEMAND":
                properties["StreamModeDetails"] = {"StreamMode": "ON_DEMAND"}
            else:
                properties["ShardCount"] = summary.get("OpenShardCount", 1)
            self.put(logical, "AWS::Kinesis::Stream", properties)

    def export_cognito(self) -> None:
        for _pool_id, (logical, pool, clients, groups) in self.pools.items():
            properties: dict[str, Any] = {"UserPoolName": pool["Name"]}
            password = (pool.get("Policies") or {}).get("PasswordPolicy")
            if password:
                keep = ("MinimumLength", "RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols",
                        "TemporaryPasswordValidityDays")
                properties["Policies"] = {"PasswordPolicy": {k: password[k] for k in keep if k in password}}
            for key in ("AutoVerifiedAttributes", "UsernameAttributes", "AliasAttributes"):
                if pool.get(key):
                    properties[key] = pool[key]
            self.put(logical, "AWS::Cognito::UserPool", properties)
            for client_logical, client in clients:
                client_properties: dict[str, Any] = {"UserPoolId": {"Ref": logical}, "ClientName": client["ClientName"],
                                                     "GenerateSecret": bool(client.get("ClientSecret"))}
                for key in ("ExplicitAuthFlows", "AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs",
                            "LogoutURLs", "SupportedIdentityProviders"):
                    if client.get(key):
                        client_properties[key] = client[key]
                if client.get("AllowedOAuthFlowsUserPoolClient"):
                    client_properties["AllowedOAuthFlowsUserPoolClient"] = True
                self.put(client_logical, "AWS::Cognito::UserPoolClient", client_properties)
            for group in groups:
                group_properties = {"UserPoolId": {"Ref": logical}, "GroupName": group["GroupName"]}
                if group.get("Description"):
                    group_properties["Description"] = group["Description"]
                self.put(_logical(f"{pool['Name']}-{group['GroupName']}", "Group", self.taken), "AWS::Cognito::UserPoolGroup", group_properties)
            self.warnings.append(f"user pool `{pool['Name']}`: its users are data and are not exported")

    def export_triggers(self) -> None:
        lam, events = self.client("lambda"), self.client("events")
        for mapping in _paginate(lam, "list_event_source_mappings", "EventSourceMappings"):
            function = mapping["FunctionArn"].split(":")[6]
            if function not in self.functions:
                continue
            properties: dict[str, Any] = {"FunctionName": {"Ref": self.functions[function]["logical"]},
                                          "EventSourceArn": mapping["EventSourceArn"],
                                          "Enabled": mapping.get("State", "Enabled") in ("Enabled", "Enabling", "Creating", "Updating")}
            for key in ("BatchSize", "MaximumBatchingWindowInSeconds", "StartingPosition", "FunctionResponseTypes",
                        "ParallelizationFactor", "MaximumRetryAttempts", "BisectBatchOnFunctionError", "FilterCriteria",
                        "ScalingConfig"):
                if mapping.get(key) not in (None, [], {}):
                    properties[key] = mapping[key]
            if ":sqs:" in mapping["EventSourceArn"]:
                properties.pop("StartingPosition", None)
            self.put(_logical(f"{function}-source", "Mapping", self.taken), "AWS::Lambda::EventSourceMapping", properties)
        for logical, bus, rule in self.rules:
            properties = {"Name": rule["Name"], "State": rule.get("State", "ENABLED")}
            if bus != "default":
                properties["EventBusName"] = bus
            if rule.get("ScheduleExpression"):
                properties["ScheduleExpression"] = rule["ScheduleExpression"]
            if rule.get("EventPattern"):
                properties["EventPattern"] = json.loads(rule["EventPattern"])
            if rule.get("Description"):
                properties["Description"] = rule["Description"]
            targets = []
            for target in events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus).get("Targets", []):
                entry = {k: target[k] for k in ("Id", "Arn", "Input", "InputPath", "InputTransformer", "RoleArn") if k in target}
                targets.append(entry)
            if targets:
                properties["Targets"] = targets
            self.put(logical, "AWS::Events::Rule", properties)
        for logical, schedule in self.schedules:
            target = {k: v for k, v in (schedule.get("Target") or {}).items()
                      if k in ("Arn", "RoleArn", "Input", "RetryPolicy", "DeadLetterConfig")}
            properties = {"Name": schedule["Name"], "ScheduleExpression": schedule["ScheduleExpression"],
                          "FlexibleTimeWindow": schedule.get("FlexibleTimeWindow") or {"Mode": "OFF"},
                          "State": schedule.get("State", "ENABLED"), "Target": target}
            if schedule.get("ScheduleExpressionTimezone"):
                properties["ScheduleExpressionTimezone"] = schedule["ScheduleExpressionTimezone"]
            if schedule.get("GroupName", "default") != "default":
                properties["GroupName"] = schedule["GroupName"]
            if schedule.get("Description"):
                properties["Description"] = schedule["Description"]
            self.put(logical, "AWS::Scheduler::Schedule", properties)
        for arn, (logical, machine) in self.machines.items():
            definition = json.loads(machine["definition"])
            text = json.dumps(definition, indent=2)
            converted = self.refs.substitute(text)
            properties = {
                "StateMachineName": machine["name"],
                "StateMachineType": machine.get("type", "STANDARD"),
                "RoleArn": machine["roleArn"],
                "DefinitionString": converted,
            }
            self.put(logical, "AWS::StepFunctions::StateMachine", properties)

    def export_apis(self) -> None:
        gateway = self.client("apigateway")
        for logical, api in self.rest_apis:
            stages = gateway.get_stages(restApiId=api["id"]).get("item", [])
            if not stages:
                self.warnings.append(f"REST API `{api['name']}`: never deployed to a stage, so not exported")
                continue
            if len(stages) > 1:
                self.warnings.append(f"REST API `{api['name']}`: only stage `{stages[0]['stageName']}` is exported")
            authorizers = {}
            for authorizer in gateway.get_authorizers(restApiId=api["id"]).get("items", []):
                if authorizer["type"] != "COGNITO_USER_POOLS":
                    self.warnings.append(f"REST API `{api['name']}`: {authorizer['type']} authorizer `{authorizer['name']}` not exported")
                    continue
                header = (authorizer.get("identitySource") or "method.request.header.Authorization").rsplit(".", 1)[-1]
                providers = authorizer.get("providerARNs", [])
                authorizers[authorizer["id"]] = (_logical(authorizer["name"], "Authorizer", set()), {
                    "UserPoolArn": providers[0] if len(providers) == 1 else providers, "Identity": {"Header": header}})
            properties: dict[str, Any] = {"Name": api["name"], "StageName": stages[0]["stageName"]}
            if api.get("description"):
                properties["Description"] = api["description"]
            if authorizers:
                properties["Auth"] = {"Authorizers": {name: config for name, config in authorizers.values()}}
            exported = 0
            for resource in _paginate(gateway, "get_resources", "items", restApiId=api["id"]):
                for method_name in resource.get("resourceMethods", {}):
                    method = gateway.get_method(restApiId=api["id"], resourceId=resource["id"], httpMethod=method_name)
                    integration = method.get("methodIntegration") or {}
                    match = re.search(r"functions/(arn:aws:lambda:[^/]+)/invocations", integration.get("uri", ""))
                    function = match.group(1).split(":")[6] if match else None
                    if integration.get("type") != "AWS_PROXY" or function not in self.functions:
                        self.warnings.append(f"REST API `{api['name']}`: {method_name} {resource['path']} is a "
                                             f"{integration.get('type', 'missing')} integration, not exported")
                        continue
                    event: dict[str, Any] = {"RestApiId": {"Ref": logical}, "Path": resource["path"], "Method": method_name.lower()}
                    if method.get("authorizationType") == "COGNITO_USER_POOLS" and method.get("authorizerId") in authorizers:
                        auth: dict[str, Any] = {"Authorizer": authorizers[method["authorizerId"]][0]}
                        if method.get("authorizationScopes"):
                            auth["AuthorizationScopes"] = method["authorizationScopes"]
                        event["Auth"] = auth
                    elif method.get("authorizationType") not in (None, "NONE"):
                        self.warnings.append(f"REST API `{api['name']}`: {method_name} {resource['path']} uses "
                                             f"{method.get('authorizationType')} authorization, exported without it")
                    events = self.functions[function]["properties"].setdefault("Events", {})
                    events[_logical(f"{api['name']}-{method_name}-{resource['path']}", "", set(events))] = {"Type": "Api", "Properties": event}
                    exported += 1
            if exported:
                self.put(logical, "AWS::Serverless::Api", properties)
            else:
                self.warnings.append(f"REST API `{api['name']}`: no Lambda proxy method to export")

    def export_http_apis(self) -> None:
        gateway = self.client("apigatewayv2")
        for logical, api in self.http_apis:
            integrations = {i["IntegrationId"]: i for i in gateway.get_integrations(ApiId=api["ApiId"]).get("Items", [])}
            stages = [st["StageName"] for st in gateway.get_stages(ApiId=api["ApiId"]).get("Items", [])]
            properties: dict[str, Any] = {"Name": api["Name"]}
            if stages and stages[0] != "$default":
                properties["StageName"] = stages[0]
            if len(stages) > 1:
                self.warnings.append(f"HTTP API `{api['Name']}`: only stage `{stages[0]}` is exported")
            if api.get("CorsConfiguration"):
                properties["CorsConfiguration"] = api["CorsConfiguration"]
            exported = 0
            for route in gateway.get_routes(ApiId=api["ApiId"]).get("Items", []):
                integration = integrations.get(str(route.get("Target", "")).removeprefix("integrations/"), {})
                uri = str(integration.get("IntegrationUri", ""))
                function = uri.split(":")[6] if uri.startswith("arn:aws:lambda:") and len(uri.split(":")) > 6 else None
                if integration.get("IntegrationType") != "AWS_PROXY" or function not in self.functions:
                    self.warnings.append(f"HTTP API `{api['Name']}`: route `{route['RouteKey']}` is not a Lambda proxy "
                                         "integration of a function in the sandbox, not exported")
                    continue
                if route.get("AuthorizationType") not in (None, "NONE"):
                    self.warnings.append(f"HTTP API `{api['Name']}`: route `{route['RouteKey']}` uses "
                                         f"{route['AuthorizationType']} authorization, exported without it")
                event: dict[str, Any] = {"ApiId": {"Ref": logical},
                                         "PayloadFormatVersion": integration.get("PayloadFormatVersion", "2.0")}
                if route["RouteKey"] != "$default":
                    method, path = route["RouteKey"].split(" ", 1)
                    event.update({"Method": method, "Path": path})
                events = self.functions[function]["properties"].setdefault("Events", {})
                events[_logical(f"{api['Name']}-{route['RouteKey'].replace('$', '')}", "", set(events))] = {"Type": "HttpApi", "Properties": event}
                exported += 1
            if exported:
                self.put(logical, "AWS::Serverless::HttpApi", properties)
            else:
                self.warnings.append(f"HTTP API `{api['Name']}`: no Lambda proxy route to export")

    def finish(self) -> dict[str, Any]:
        # Permissions API Gateway or S3 needed but no exported event creates.
        for name, entry in self.functions.items():
            kinds = {event["Type"] for event in entry["properties"].get("Events", {}).values()}
            for service, kind in (("apigateway.amazonaws.com", "Api"), ("s3.amazonaws.com", "S3")):
                if kind == "Api" and "HttpApi" in kinds:
                    continue
                if service in entry.get("principals", set()) and kind not in kinds:
                    self.put(_logical(f"{name}-{service.split('.')[0]}", "Permission", self.taken), "AWS::Lambda::Permission",
                             {"FunctionName": {"Ref": entry["logical"]}, "Action": "lambda:InvokeFunction", "Principal": service})
        resources = {}
        for logical, body in self.resources.items():
            properties = body.get("Properties", {})
            converted = {}
            for key, value in properties.items():
                if key in ("FunctionName", "TableName", "QueueName", "TopicName", "BucketName", "Name", "UserPoolName",
                           "ClientName", "StateMachineName", "GroupName", "RuleName") and isinstance(value, str):
                    converted[key] = value  # the resource's own physical name stays literal
                elif key == "Environment":
                    converted[key] = {"Variables": {k: self.refs.convert(v, names=True) for k, v in value["Variables"].items()}}
                elif key == "DefinitionString":
                    converted[key] = value
                else:
                    converted[key] = self.refs.convert(value, names=key in ("Policies",))
            resources[logical] = {**body, "Properties": converted}
        return {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Transform": SAM_TRANSFORM,
            "Description": "Exported from the offline AWS serverless course's sandbox "
                           f"({_COURSE_TAG}). Deploy with: sam build && sam deploy --guided",
            "Resources": dict(sorted(resources.items())),
        }


def _document(document: Any) -> dict[str, Any]:
    if isinstance(document, str):
        from urllib.parse import unquote

        return json.loads(unquote(document))
    return dict(document)


class _TemplateDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a reference used twice is written twice, never as a YAML anchor


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_TemplateDumper.add_representer(str, _str_presenter)


def dump(template: dict[str, Any]) -> str:
    """The template as YAML (long-form intrinsics, so any YAML or JSON reader takes it)."""
    return yaml.dump(template, Dumper=_TemplateDumper, sort_keys=False, width=110, allow_unicode=True)


def export(aws: Any, folder: str | Path) -> ExportResult:
    """Write ``folder/template.yaml`` and ``folder/functions/<name>/`` for everything in ``aws``."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    exporter = _Exporter(aws, target)
    exporter.discover()
    exporter.export_roles()
    exporter.export_functions()
    exporter.export_data()
    exporter.export_cognito()
    exporter.export_triggers()
    exporter.export_apis()
    exporter.export_http_apis()
    template = exporter.finish()
    (target / "template.yaml").write_text(dump(template))
    return ExportResult(target, template, exporter.warnings)
