"""What exists in the sandbox, and what triggers what: an architecture read from the live account.

    from course_lib import inventory
    inv = inventory.read()               # list/describe calls through boto3, nothing else
    inv                                  # a Markdown table: every resource, every connection
    inv.node("orders-api").details       # runtime, handler, memory, env var names...
    inv.edges_from("orders-api")         # who it triggers, what it may access
    inv.missing()                        # things something points at that do not exist
    inv.to_dict()                        # plain JSON: for exporters and checkers

What it emulates. AWS has no single "show me my architecture" call; the console's Application
Composer and tools like Former2 rebuild one from the same list/describe calls used here:

* **nodes**: Lambda functions, REST and HTTP APIs, Cognito user pools, S3 buckets, SQS queues,
  SNS topics, EventBridge buses (custom ones, and any bus with event-pattern rules), rules and
  Scheduler schedules, Step Functions state machines, Kinesis streams, Firehose delivery
  streams, DynamoDB tables;
* **trigger edges** (solid in the diagram): API routes -> functions (from the integration URIs),
  S3 notifications, event source mappings (SQS, Kinesis, DynamoDB streams), SNS subscriptions,
  rule and schedule targets, async-invoke destinations and dead-letter queues, queue redrive
  policies, state machine Task states, Firehose -> bucket, Cognito triggers;
* **authorizer edges**: an API with a Cognito authorizer -> the user pool it trusts;
* **may-access edges** (dashed): from each function's execution-role policies, every Resource
  ARN that names a table, queue, topic, bucket, stream, bus, state machine or function, labelled
  with the actions allowed. "May": IAM says what is *allowed*, not what the code does.

Every name or ARN is resolved to a node; a reference to something that does not exist (a
deleted queue, a typo in a policy) becomes a node with ``missing=True``, because a learner
needs to see exactly that.

Differs from AWS: only what the sandbox's account and region hold; AWS managed policies
(``arn:aws:iam::aws:policy/...``) are not read (moto does not load them), so their permissions
do not appear; ``Resource: "*"`` is recorded on the function (``details["broad_access"]``), not
drawn, since it names nothing; Lambda resource policies, VPCs, layers' contents and CloudWatch
alarms are not inventoried.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Iterator

# Node kinds, in the order a reader meets them (sources, compute, data). Titles are for people.
KIND_TITLES: dict[str, str] = {
    "rest_api": "REST API",
    "http_api": "HTTP API",
    "user_pool": "Cognito user pool",
    "rule": "EventBridge rule",
    "schedule": "EventBridge schedule",
    "event_bus": "EventBridge bus",
    "function": "Lambda function",
    "state_machine": "Step Functions",
    "bucket": "S3 bucket",
    "queue": "SQS queue",
    "topic": "SNS topic",
    "stream": "Kinesis stream",
    "delivery_stream": "Firehose stream",
    "table": "DynamoDB table",
    "external": "outside AWS",
}
KINDS = tuple(KIND_TITLES)

# Edge kinds: what the diagram draws solid, dashed or dotted.
TRIGGER = "trigger"          # invokes, delivers or sends to the target when something happens
AUTHORIZER = "authorizer"    # the API checks tokens against the user pool
MAY_ACCESS = "may_access"    # the function's role allows these actions on the target
EDGE_KINDS = (TRIGGER, AUTHORIZER, MAY_ACCESS)


@dataclass
class Node:
    """One resource. ``id`` is its ARN when it has one (``missing:...`` for an unresolvable name)."""

    id: str
    kind: str
    name: str
    arn: str
    details: dict[str, Any] = field(default_factory=dict)
    missing: bool = False

    @property
    def title(self) -> str:
        return KIND_TITLES.get(self.kind, self.kind)

    def __repr__(self) -> str:
        flag = " (MISSING)" if self.missing else ""
        return f"<{self.title} {self.name}{flag}>"


@dataclass
class Edge:
    """``source`` triggers, authorizes with, or may access ``target`` (both node ids)."""

    source: str
    target: str
    label: str
    kind: str = TRIGGER
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Inventory:
    """Nodes and edges of one account and region, read in one pass."""

    nodes: list[Node]
    edges: list[Edge]
    account: str = ""
    region: str = ""
    calls: int = 0  # boto3 calls the read took

    # -- lookups ------------------------------------------------------------------------------
    def node(self, ref: str, kind: str | None = None) -> Node:
        """The node with this id, ARN or name (``kind`` narrows a name shared by two kinds)."""
        for n in self.nodes:
            if ref in (n.id, n.arn) and (kind is None or n.kind == kind):
                return n
        matches = [n for n in self.nodes if n.name == ref and (kind is None or n.kind == kind)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            known = ", ".join(sorted(f"{n.kind} {n.name}" for n in self.nodes)) or "nothing"
            raise KeyError(f"No resource {ref!r} in the inventory; it holds: {known}.")
        kinds = ", ".join(sorted(n.kind for n in matches))
        raise KeyError(f"{ref!r} names several resources ({kinds}); pass kind=... to choose one.")

    def by_kind(self, kind: str) -> list[Node]:
        return [n for n in self.nodes if n.kind == kind]

    def edges_from(self, ref: str, kind: str | None = None) -> list[Edge]:
        node = self.node(ref)
        return [e for e in self.edges if e.source == node.id and (kind is None or e.kind == kind)]

    def edges_to(self, ref: str, kind: str | None = None) -> list[Edge]:
        node = self.node(ref)
        return [e for e in self.edges if e.target == node.id and (kind is None or e.kind == kind)]

    def missing(self) -> list[Node]:
        return [n for n in self.nodes if n.missing]

    def name_of(self, node_id: str) -> str:
        return next((n.name for n in self.nodes if n.id == node_id), node_id)

    # -- views ---------------------------------------------------------------------------------
    def subset(self, refs: Iterable[str]) -> "Inventory":
        """Only these nodes (ids, ARNs or names) and the edges between them."""
        keep = {self.node(r).id for r in refs}
        return Inventory([n for n in self.nodes if n.id in keep],
                         [e for e in self.edges if e.source in keep and e.target in keep],
                         self.account, self.region, self.calls)

    def component(self, ref: str) -> "Inventory":
        """Everything connected to ``ref`` by any edge, in either direction."""
        seen = {self.node(ref).id}
        frontier = list(seen)
        while frontier:
            current = frontier.pop()
            for e in self.edges:
                for a, b in ((e.source, e.target), (e.target, e.source)):
                    if a == current and b not in seen:
                        seen.add(b)
                        frontier.append(b)
        return self.subset(seen)

    def connections(self) -> list[tuple[str, str, str, str, str]]:
        """(source kind, source name, label, target kind, target name) per edge, sorted."""
        by_id = {n.id: n for n in self.nodes}
        rows = []
        for e in self.edges:
            s, t = by_id[e.source], by_id[e.target]
            rows.append((s.kind, s.name, e.label if e.kind != MAY_ACCESS else f"may {e.label}",
                         t.kind + (" (missing)" if t.missing else ""), t.name))
        return sorted(rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data: ``{"account", "region", "nodes": [...], "edges": [...]}``."""
        return json.loads(json.dumps({
            "account": self.account, "region": self.region,
            "nodes": [asdict(n) for n in self.nodes], "edges": [asdict(e) for e in self.edges],
        }, default=str))

    def summary(self) -> str:
        """One line per connection, readable and free of random ids (stable for notebook output)."""
        counts: dict[str, int] = {}
        for n in self.nodes:
            counts[n.kind] = counts.get(n.kind, 0) + 1
        head = ", ".join(f"{counts[k]} {KIND_TITLES.get(k, k)}{'s' if counts[k] != 1 else ''}"
                         for k in KINDS if k in counts) or "nothing"
        lines = [f"{len(self.nodes)} resources: {head}"]
        arrows = {TRIGGER: "-->", AUTHORIZER: "..>", MAY_ACCESS: "- ->"}
        by_id = {n.id: n for n in self.nodes}
        rows = sorted(((by_id[e.source].name, e.kind, e.label, by_id[e.target]) for e in self.edges),
                      key=lambda r: (r[0], EDGE_KINDS.index(r[1]), r[3].name, r[2]))
        for source, kind, label, target in rows:
            flag = "  (MISSING)" if target.missing else ""
            lines.append(f"  {source} {arrows[kind]} {target.name}: {label}{flag}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_markdown_(self) -> str:
        out = ["| resource | kind | details |", "|---|---|---|"]
        for n in sorted(self.nodes, key=lambda n: (KINDS.index(n.kind) if n.kind in KINDS else 99, n.name)):
            name = f"**{n.name}**" + (" ⚠ missing" if n.missing else "")
            out.append(f"| {name} | {n.title} | {_short_details(n)} |")
        out += ["", "| from | connection | to |", "|---|---|---|"]
        for s_kind, s_name, label, t_kind, t_name in self.connections():
            out.append(f"| {s_name} ({KIND_TITLES.get(s_kind, s_kind)}) | {label} | {t_name} ({t_kind}) |")
        return "\n".join(out)


def _short_details(node: Node) -> str:
    d = node.details
    if node.missing:
        return "referenced, but does not exist"
    if node.kind == "function":
        env = ", ".join(d.get("env", [])) or "none"
        return f"{d.get('runtime')}, {d.get('memory_mb')} MB, timeout {d.get('timeout_s')} s, env: {env}"
    if node.kind == "table":
        keys = " + ".join(f"{k['name']} ({k['type']})" for k in d.get("keys", []))
        stream = f", stream {d['stream_view']}" if d.get("stream") else ""
        return f"{keys}, {d.get('billing_mode')}{stream}"
    if node.kind in ("rest_api", "http_api"):
        routes = ", ".join(f"{r['method']} {r['path']}" for r in d.get("routes", []))
        return f"stages {', '.join(d.get('stages', [])) or 'none'}; routes {routes or 'none'}"
    if node.kind == "queue":
        extra = f", DLQ after {d['max_receive_count']} receives" if d.get("dead_letter_queue") else ""
        return f"{'FIFO' if d.get('fifo') else 'standard'}, visibility {d.get('visibility_timeout_s')} s{extra}"
    if node.kind in ("rule", "schedule"):
        return d.get("schedule") or ("pattern " + json.dumps(d.get("pattern"), sort_keys=True) if d.get("pattern") else "")
    if node.kind == "stream":
        return f"{d.get('mode')}, {d.get('shards')} shard(s)"
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items()) if isinstance(v, (str, int, bool)) and k != "arn")


# ----------------------------------------------------------------------------------------------
# ARNs and names -> nodes
# ----------------------------------------------------------------------------------------------
_FUNCTION_IN_URI = re.compile(r"functions/(?P<arn>arn:[^/]+?)/invocations")


def _parse_arn(arn: str) -> tuple[str, str, str]:
    """(service, region, resource) of an ARN; ('', '', '') when it is not one."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "", "", ""
    return parts[2], parts[3], parts[5]


def kind_of_arn(arn: str) -> tuple[str, str] | None:
    """(node kind, resource name) an ARN points at, or None when it is not a resource we draw.

    >>> kind_of_arn("arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000")
    ('table', 'orders')
    """
    service, _, resource = _parse_arn(arn)
    if service == "lambda" and resource.startswith("function:"):
        return "function", resource.split(":")[1]
    if service == "sqs":
        return "queue", resource
    if service == "sns":
        return "topic", resource.split(":")[0]
    if service == "s3" and resource:
        return "bucket", resource.split("/")[0]
    if service == "dynamodb" and resource.startswith("table/"):
        return "table", resource.split("/")[1]
    if service == "kinesis" and resource.startswith("stream/"):
        return "stream", resource.split("/")[1]
    if service == "firehose" and resource.startswith("deliverystream/"):
        return "delivery_stream", resource.split("/")[1]
    if service == "states" and resource.startswith("stateMachine:"):
        return "state_machine", resource.split(":")[1]
    if service == "events" and resource.startswith("event-bus/"):
        return "event_bus", resource.split("/")[1]
    if service == "events" and resource.startswith("rule/"):
        return "rule", resource.split("/")[-1]
    if service == "cognito-idp" and resource.startswith("userpool/"):
        return "user_pool", resource.split("/")[1]
    if service == "apigateway" and resource.startswith("/restapis/"):
        return "rest_api", resource.split("/")[2]
    return None


class _Resolver:
    """Finds the node an ARN, a name or a queue URL refers to; makes a missing node otherwise."""

    def __init__(self, account: str, region: str) -> None:
        self.nodes: dict[str, Node] = {}
        self.account, self.region = account, region

    def add(self, node: Node) -> Node:
        self.nodes.setdefault(node.id, node)
        return self.nodes[node.id]

    def _find(self, kind: str, name: str) -> Node | None:
        for n in self.nodes.values():
            if n.kind == kind and n.name == name:
                return n
        return None

    def _arn_for(self, kind: str, name: str) -> str:
        a, r = self.account, self.region
        return {
            "function": f"arn:aws:lambda:{r}:{a}:function:{name}",
            "queue": f"arn:aws:sqs:{r}:{a}:{name}",
            "topic": f"arn:aws:sns:{r}:{a}:{name}",
            "bucket": f"arn:aws:s3:::{name}",
            "table": f"arn:aws:dynamodb:{r}:{a}:table/{name}",
            "stream": f"arn:aws:kinesis:{r}:{a}:stream/{name}",
            "delivery_stream": f"arn:aws:firehose:{r}:{a}:deliverystream/{name}",
            "state_machine": f"arn:aws:states:{r}:{a}:stateMachine:{name}",
            "event_bus": f"arn:aws:events:{r}:{a}:event-bus/{name}",
        }.get(kind, f"missing:{kind}:{name}")

    def resolve(self, ref: str, kind: str | None = None) -> Node | None:
        """The node for an ARN (qualifiers and sub-resources dropped), a queue URL or a name.
        Returns None only for references that name nothing drawable (``*``, an AWS service)."""
        ref = (ref or "").strip()
        if not ref or ref == "*":
            return None
        if ref.startswith("https://sqs.") or ref.startswith("http://") and "/queue" in ref:
            kind, name = "queue", ref.rstrip("/").rsplit("/", 1)[-1]
        elif ref.startswith("arn:"):
            found = kind_of_arn(ref)
            if found is None:
                return None
            kind, name = found
        elif kind is not None:
            name = ref.split(":")[0] if kind == "function" else ref
        else:
            return None
        node = self._find(kind, name)
        if node is not None:
            return node
        arn = ref if ref.startswith("arn:") and kind != "function" else self._arn_for(kind, name)
        if kind == "bucket":
            arn = f"arn:aws:s3:::{name}"
        return self.add(Node(arn, kind, name, arn, {"referenced_as": ref}, missing=True))

    def matching(self, kind: str, pattern: str) -> list[Node]:
        """Existing nodes of ``kind`` whose name matches an IAM wildcard (``orders-*``)."""
        return [n for n in self.nodes.values() if n.kind == kind and not n.missing and fnmatch.fnmatchcase(n.name, pattern)]


# ----------------------------------------------------------------------------------------------
# Reading the account
# ----------------------------------------------------------------------------------------------
class _Counting:
    """A boto3 client wrapper that counts calls (``Inventory.calls``: proof of one pass)."""

    def __init__(self, client: Any, counter: list[int]) -> None:
        self._client, self._counter = client, counter
        self.exceptions = client.exceptions

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self._counter[0] += 1
            return attr(*args, **kwargs)

        return call

    def pages(self, operation: str, key: str, token_in: str, token_out: str, **kwargs: Any) -> Iterator[Any]:
        """Every item of a paginated list call (AWS's token names differ per service)."""
        while True:
            page = getattr(self, operation)(**kwargs)
            yield from page.get(key, [])
            token = page.get(token_out)
            if not token:
                return
            kwargs[token_in] = token


def read(sandbox: Any = None) -> Inventory:
    """Read the sandbox's account: every resource and every connection, with list/describe calls."""
    if sandbox is None:
        from course_lib import sandbox as sandbox_module

        sandbox = sandbox_module.current()
    counter = [0]

    def client(service: str) -> _Counting:
        return _Counting(sandbox.client(service), counter)

    account = getattr(sandbox, "account_id", "123456789012")
    region = getattr(sandbox, "region", "us-east-1")
    r = _Resolver(account, region)
    edges: list[Edge] = []

    def edge(source: Node, target: Node | None, label: str, kind: str = TRIGGER, **details: Any) -> None:
        if target is not None:
            edges.append(Edge(source.id, target.id, label, kind, dict(details)))

    # Resources first (so references resolve to real nodes), connections after.
    def when_used(service: str, reader: Any, *args: Any) -> list[Any]:
        return reader(client(service), r, *args) if _emulator_loaded(service) else []

    functions = when_used("lambda", _read_functions)
    when_used("dynamodb", _read_tables)
    queues = when_used("sqs", _read_queues)
    when_used("sns", _read_topics)
    buckets = when_used("s3", _read_buckets)
    when_used("kinesis", _read_streams)
    deliveries = when_used("firehose", _read_delivery_streams)
    machines = when_used("stepfunctions", _read_state_machines)
    pools = when_used("cognito-idp", _read_user_pools)
    rules = when_used("events", _read_rules)
    schedules = when_used("scheduler", _read_schedules)
    rest_apis = when_used("apigateway", _read_rest_apis, region)
    http_apis = when_used("apigatewayv2", _read_http_apis, region)

    lam = client("lambda")
    for fn, config in functions:
        for key, label in (("OnSuccess", "on success"), ("OnFailure", "on failure")):
            for invoke_config in config.get("_invoke_configs", []):
                dest = invoke_config.get("DestinationConfig", {}).get(key, {}).get("Destination")
                if dest:
                    edge(fn, r.resolve(dest), f"async {label}")
        dlq = config.get("DeadLetterConfig", {}).get("TargetArn")
        if dlq:
            edge(fn, r.resolve(dlq), "dead-letter (async)")
    for esm in ([] if not functions else lam.pages("list_event_source_mappings", "EventSourceMappings", "Marker", "NextMarker")):
        source = r.resolve(esm.get("EventSourceArn", ""))
        target = r.resolve(esm.get("FunctionArn", ""), "function")
        if source is None or target is None:
            continue
        label = f"batch {esm.get('BatchSize')}"
        if esm.get("MaximumBatchingWindowInSeconds"):
            label += f", window {esm['MaximumBatchingWindowInSeconds']} s"
        if source.kind == "table":
            label = "stream " + label
        edges.append(Edge(source.id, target.id, label, TRIGGER, {
            "via": "event source mapping", "state": esm.get("State"), "batch_size": esm.get("BatchSize"),
            "starting_position": esm.get("StartingPosition"), "uuid": esm.get("UUID")}))
        on_failure = esm.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if on_failure:
            edge(source, r.resolve(on_failure), "failed batches")

    for queue, attributes in queues:
        redrive = attributes.get("RedrivePolicy")
        if redrive:
            policy = json.loads(redrive)
            edge(queue, r.resolve(policy.get("deadLetterTargetArn", "")),
                 f"DLQ after {policy.get('maxReceiveCount')} receives")

    sns = client("sns")
    subscriptions = sns.pages("list_subscriptions", "Subscriptions", "NextToken", "NextToken") if _emulator_loaded("sns") else []
    for sub in subscriptions:
        topic = r.resolve(sub.get("TopicArn", ""))
        if topic is None or sub.get("SubscriptionArn") in (None, "PendingConfirmation"):
            continue
        protocol = sub.get("Protocol", "")
        if protocol in ("sqs", "lambda", "firehose"):
            target = r.resolve(sub.get("Endpoint", ""))
        else:
            target = r.add(Node(f"external:{protocol}:{sub.get('Endpoint')}", "external",
                                f"{protocol}: {sub.get('Endpoint')}", "", {"protocol": protocol}))
        attrs = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"]).get("Attributes", {})
        label = protocol
        if attrs.get("FilterPolicy"):
            label += " (filtered)"
        edge(topic, target, label, raw=attrs.get("RawMessageDelivery") == "true",
             filter_policy=json.loads(attrs["FilterPolicy"]) if attrs.get("FilterPolicy") else None)

    for bucket, config in buckets:
        for key, arn_key in (("LambdaFunctionConfigurations", "LambdaFunctionArn"),
                             ("QueueConfigurations", "QueueArn"), ("TopicConfigurations", "TopicArn")):
            for item in config.get(key, []):
                rules_ = item.get("Filter", {}).get("Key", {}).get("FilterRules", [])
                flt = " ".join(f"{'' if x['Name'].lower() == 'prefix' else '*'}{x['Value']}"
                               + ("*" if x["Name"].lower() == "prefix" else "") for x in rules_)
                events = ",".join(e.replace("s3:", "") for e in item.get("Events", []))
                edge(bucket, r.resolve(item.get(arn_key, "")), f"{events} {flt}".strip(),
                     events=item.get("Events", []), filter_rules=rules_)
        if "EventBridgeConfiguration" in config:
            edge(bucket, r.resolve(f"arn:aws:events:{region}:{account}:event-bus/default"), "all events")

    for delivery, description in deliveries:
        source = description.get("Source", {}).get("KinesisStreamSourceDescription", {}).get("KinesisStreamARN")
        stream = r.resolve(source) if source else None
        if stream is not None:
            edge(stream, delivery, "records")
        for dest in description.get("Destinations", []):
            s3 = dest.get("ExtendedS3DestinationDescription") or dest.get("S3DestinationDescription") or {}
            if s3.get("BucketARN"):
                edge(delivery, r.resolve(s3["BucketARN"]), f"buffered to {s3.get('Prefix') or '/'}")

    for machine, definition in machines:
        for state, resource, target in _task_targets(definition):
            edge(machine, r.resolve(target, "function" if "lambda" in resource else None), state,
                 resource=resource)

    for pool, description in pools:
        for trigger, arn in sorted(description.get("LambdaConfig", {}).items()):
            if isinstance(arn, str) and arn.startswith("arn:"):
                edge(pool, r.resolve(arn), _words(trigger))

    for rule, targets in rules:
        for target in targets:
            resolved = r.resolve(target.get("Arn", ""))
            label = "on schedule" if rule.details.get("schedule") else "matched event"
            if target.get("InputTransformer"):
                label += " (transformed)"
            edge(rule, resolved, label, target_id=target.get("Id"))
        bus = rule.details.get("bus", "default")
        if rule.details.get("pattern") is not None:
            bus_node = r.resolve(f"arn:aws:events:{region}:{account}:event-bus/{bus}")
            if bus_node is not None:
                edge(bus_node, rule, "pattern")

    for schedule in schedules:
        edge(schedule, r.resolve(schedule.details.get("target", "")), "on schedule")

    for api, routes in [*rest_apis, *http_apis]:
        for route in routes:
            target = r.resolve(route["function"], "function") if route.get("function") else None
            edge(api, target, f"{route['method']} {route['path']}", authorization=route["authorization"])
        for authorizer in api.details.get("authorizers", []):
            for provider in authorizer.get("providers", []):
                pool = r.resolve(provider) if provider.startswith("arn:") else None
                if pool is not None and pool.kind == "user_pool" and not pool.missing:
                    edge(api, pool, f"authorizer {authorizer['name']}", AUTHORIZER)
                elif provider.startswith("arn:") or provider.startswith("https://"):
                    pool_id = provider.rstrip("/").rsplit("/", 1)[-1]
                    match = next((n for n in r.nodes.values() if n.kind == "user_pool" and n.details.get("id") == pool_id), None)
                    if match is None:
                        match = r.add(Node(f"missing:user_pool:{pool_id}", "user_pool", pool_id, provider,
                                           {"referenced_as": provider}, missing=True))
                    edge(api, match, f"authorizer {authorizer['name']}", AUTHORIZER)

    _may_access(client("iam"), r, functions, edges)

    nodes = sorted(r.nodes.values(), key=lambda n: (KINDS.index(n.kind) if n.kind in KINDS else 99, n.name, n.id))
    # An edge listed twice (two identical notifications) is one connection.
    unique: dict[tuple[str, str, str, str], Edge] = {}
    for e in edges:
        unique.setdefault((e.source, e.target, e.label, e.kind), e)
    return Inventory(nodes, list(unique.values()), account, region, counter[0])


# The emulator module behind each service. moto loads one on the first request to its service,
# so one that is not loaded holds nothing: skipping it keeps a first read fast (loading the Step
# Functions emulator alone takes over a second). Only whether a module is loaded is looked at,
# never moto's state; outside the in-process sandbox every service is read.
_EMULATOR_MODULES = {
    "lambda": "moto.awslambda", "dynamodb": "moto.dynamodb", "sqs": "moto.sqs", "sns": "moto.sns", "s3": "moto.s3",
    "kinesis": "moto.kinesis", "firehose": "moto.firehose", "stepfunctions": "moto.stepfunctions",
    "cognito-idp": "moto.cognitoidp", "events": "moto.events", "scheduler": "moto.scheduler",
    "apigateway": "moto.apigateway", "apigatewayv2": "moto.apigatewayv2",
}


def may_hold_resources(service: str) -> bool:
    """False only when ``service`` certainly holds nothing: in the in-process sandbox, a service
    whose moto module was never imported has never been called. (Listing it would import it,
    which costs up to a second for Step Functions or Cognito.) Anywhere else, always True."""
    import sys

    from course_lib.sandbox import current

    if "moto" not in sys.modules or current().mode != "in-process":
        return True
    return _EMULATOR_MODULES.get(service, "") in sys.modules or service not in _EMULATOR_MODULES


_emulator_loaded = may_hold_resources


def _words(camel: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r" \1", camel).lower()


def _read_functions(lam: _Counting, r: _Resolver) -> list[tuple[Node, dict[str, Any]]]:
    out = []
    for config in lam.pages("list_functions", "Functions", "Marker", "NextMarker"):
        name = config["FunctionName"]
        details: dict[str, Any] = {
            "runtime": config.get("Runtime"), "handler": config.get("Handler"),
            "memory_mb": config.get("MemorySize"), "timeout_s": config.get("Timeout"),
            "architecture": (config.get("Architectures") or ["x86_64"])[0],
            "env": sorted((config.get("Environment") or {}).get("Variables", {})),
            "role": config.get("Role", ""), "code_size": config.get("CodeSize"),
            "layers": len(config.get("Layers") or []),
        }
        try:
            configs = lam.list_function_event_invoke_configs(FunctionName=name).get("FunctionEventInvokeConfigs", [])
        except Exception:  # noqa: BLE001 - an old moto without the call: no destinations to draw
            configs = []
        config["_invoke_configs"] = configs
        if configs:
            details["async_retries"] = configs[0].get("MaximumRetryAttempts")
        node = r.add(Node(config["FunctionArn"], "function", name, config["FunctionArn"], details))
        out.append((node, config))
    return out


def _read_tables(ddb: _Counting, r: _Resolver) -> list[Node]:
    out = []
    for name in ddb.pages("list_tables", "TableNames", "ExclusiveStartTableName", "LastEvaluatedTableName"):
        table = ddb.describe_table(TableName=name)["Table"]
        types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
        spec = table.get("StreamSpecification") or {}
        details = {
            "keys": [{"name": k["AttributeName"], "type": k["KeyType"], "attribute_type": types.get(k["AttributeName"])}
                     for k in table.get("KeySchema", [])],
            "billing_mode": (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
            "stream": bool(spec.get("StreamEnabled")),
            "stream_view": spec.get("StreamViewType") if spec.get("StreamEnabled") else None,
            "stream_arn": table.get("LatestStreamArn") if spec.get("StreamEnabled") else None,
            "indexes": sorted(i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])),
            "items": table.get("ItemCount", 0),
        }
        out.append(r.add(Node(table["TableArn"], "table", name, table["TableArn"], details)))
    return out


def _read_queues(sqs: _Counting, r: _Resolver) -> list[tuple[Node, dict[str, str]]]:
    out = []
    for url in sqs.pages("list_queues", "QueueUrls", "NextToken", "NextToken"):
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]).get("Attributes", {})
        redrive = json.loads(attrs["RedrivePolicy"]) if attrs.get("RedrivePolicy") else {}
        details = {
            "fifo": attrs.get("FifoQueue") == "true",
            "visibility_timeout_s": int(attrs.get("VisibilityTimeout", 30)),
            "retention_s": int(attrs.get("MessageRetentionPeriod", 0)),
            "dead_letter_queue": redrive.get("deadLetterTargetArn", "").rsplit(":", 1)[-1] or None,
            "max_receive_count": int(redrive["maxReceiveCount"]) if redrive.get("maxReceiveCount") else None,
            "url": url,
        }
        arn = attrs["QueueArn"]
        out.append((r.add(Node(arn, "queue", arn.rsplit(":", 1)[-1], arn, details)), attrs))
    return out


def _read_topics(sns: _Counting, r: _Resolver) -> list[Node]:
    return [r.add(Node(t["TopicArn"], "topic", t["TopicArn"].rsplit(":", 1)[-1], t["TopicArn"],
                       {"fifo": t["TopicArn"].endswith(".fifo")}))
            for t in sns.pages("list_topics", "Topics", "NextToken", "NextToken")]


def _read_buckets(s3: _Counting, r: _Resolver) -> list[tuple[Node, dict[str, Any]]]:
    out = []
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        config = s3.get_bucket_notification_configuration(Bucket=name)
        config.pop("ResponseMetadata", None)
        arn = f"arn:aws:s3:::{name}"
        node = r.add(Node(arn, "bucket", name, arn, {"notifications": sum(
            len(config.get(k, [])) for k in ("LambdaFunctionConfigurations", "QueueConfigurations", "TopicConfigurations"))}))
        out.append((node, config))
    return out


def _read_streams(kinesis: _Counting, r: _Resolver) -> list[Node]:
    out = []
    for summary in kinesis.pages("list_streams", "StreamSummaries", "NextToken", "NextToken"):
        name = summary["StreamName"]
        shards = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"].get("OpenShardCount")
        details = {"mode": summary.get("StreamModeDetails", {}).get("StreamMode", "PROVISIONED"), "shards": shards}
        out.append(r.add(Node(summary["StreamARN"], "stream", name, summary["StreamARN"], details)))
    return out


def _read_delivery_streams(firehose: _Counting, r: _Resolver) -> list[tuple[Node, dict[str, Any]]]:
    out = []
    names = firehose.list_delivery_streams(Limit=10000).get("DeliveryStreamNames", [])
    for name in names:
        description = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        dest = next(iter(description.get("Destinations", [])), {})
        s3 = dest.get("ExtendedS3DestinationDescription") or dest.get("S3DestinationDescription") or {}
        hints = s3.get("BufferingHints", {})
        details = {"type": description.get("DeliveryStreamType"), "prefix": s3.get("Prefix"),
                   "buffer_mib": hints.get("SizeInMBs"), "buffer_s": hints.get("IntervalInSeconds")}
        arn = description["DeliveryStreamARN"]
        out.append((r.add(Node(arn, "delivery_stream", name, arn, details)), description))
    return out


def _read_state_machines(sfn: _Counting, r: _Resolver) -> list[tuple[Node, dict[str, Any]]]:
    out = []
    for item in sfn.pages("list_state_machines", "stateMachines", "nextToken", "nextToken"):
        described = sfn.describe_state_machine(stateMachineArn=item["stateMachineArn"])
        try:
            definition = json.loads(described.get("definition") or "{}")
        except ValueError:
            definition = {}
        details = {"type": described.get("type", item.get("type")), "states": len(definition.get("States", {})),
                   "start_at": definition.get("StartAt")}
        node = r.add(Node(item["stateMachineArn"], "state_machine", item["name"], item["stateMachineArn"], details))
        out.append((node, definition))
    return out


def _task_targets(definition: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(state name, Resource, what it calls) for every Task, inside Parallel and Map too."""
    for name, state in (definition.get("States") or {}).items():
        if state.get("Type") == "Task":
            resource = state.get("Resource", "")
            params = state.get("Parameters") or state.get("Arguments") or {}
            if resource.startswith("arn:aws:lambda:") or (":lambda:" in resource and ":function:" in resource):
                yield name, resource, resource
            elif resource.startswith("arn:aws:states:::"):
                for key in ("FunctionName", "TableName", "QueueUrl", "TopicArn", "StateMachineArn"):
                    if isinstance(params.get(key), str):
                        yield name, resource, params[key]
        for branch in state.get("Branches", []) or []:
            yield from _task_targets(branch)
        inner = state.get("ItemProcessor") or state.get("Iterator")
        if inner:
            yield from _task_targets(inner)


def _read_user_pools(idp: _Counting, r: _Resolver) -> list[tuple[Node, dict[str, Any]]]:
    out = []
    for summary in idp.pages("list_user_pools", "UserPools", "NextToken", "NextToken", MaxResults=60):
        pool = idp.describe_user_pool(UserPoolId=summary["Id"])["UserPool"]
        arn = pool.get("Arn") or f"arn:aws:cognito-idp:{r.region}:{r.account}:userpool/{summary['Id']}"
        details = {"id": summary["Id"], "mfa": pool.get("MfaConfiguration", "OFF")}
        out.append((r.add(Node(arn, "user_pool", summary["Name"], arn, details)), pool))
    return out


def _read_rules(events: _Counting, r: _Resolver) -> list[tuple[Node, list[dict[str, Any]]]]:
    out = []
    for bus in events.pages("list_event_buses", "EventBuses", "NextToken", "NextToken"):
        bus_name = bus["Name"]
        rules = list(events.pages("list_rules", "Rules", "NextToken", "NextToken", EventBusName=bus_name))
        if bus_name != "default" or any(rule.get("EventPattern") for rule in rules):
            r.add(Node(bus["Arn"], "event_bus", bus_name, bus["Arn"], {"rules": len(rules)}))
        for rule in rules:
            pattern = json.loads(rule["EventPattern"]) if rule.get("EventPattern") else None
            details = {"bus": bus_name, "state": rule.get("State"), "schedule": rule.get("ScheduleExpression"),
                       "pattern": pattern}
            node = r.add(Node(rule["Arn"], "rule", rule["Name"], rule["Arn"], details))
            targets = list(events.pages("list_targets_by_rule", "Targets", "NextToken", "NextToken",
                                        Rule=rule["Name"], EventBusName=bus_name))
            out.append((node, targets))
    return out


def _read_schedules(scheduler: _Counting, r: _Resolver) -> list[Node]:
    out = []
    for summary in scheduler.pages("list_schedules", "Schedules", "NextToken", "NextToken"):
        schedule = scheduler.get_schedule(Name=summary["Name"], GroupName=summary.get("GroupName", "default"))
        details = {"schedule": schedule.get("ScheduleExpression"), "timezone": schedule.get("ScheduleExpressionTimezone"),
                   "group": summary.get("GroupName"), "state": schedule.get("State"),
                   "target": schedule.get("Target", {}).get("Arn", "")}
        out.append(r.add(Node(summary["Arn"], "schedule", summary["Name"], summary["Arn"], details)))
    return out


def _function_of_uri(uri: str) -> str | None:
    match = _FUNCTION_IN_URI.search(uri or "")
    if match:
        return match.group("arn")
    return uri if (uri or "").startswith("arn:aws:lambda:") else None


def _read_rest_apis(gw: _Counting, r: _Resolver, region: str) -> list[tuple[Node, list[dict[str, Any]]]]:
    out = []
    for api in gw.pages("get_rest_apis", "items", "position", "position"):
        api_id = api["id"]
        authorizers = {a["id"]: a for a in gw.pages("get_authorizers", "items", "position", "position", restApiId=api_id)}
        routes = []
        # embed=methods returns each method with its integration: one call, not one per method
        for resource in gw.pages("get_resources", "items", "position", "position", restApiId=api_id, embed=["methods"]):
            for method, spec in sorted((resource.get("resourceMethods") or {}).items()):
                integration = spec.get("methodIntegration") or {}
                authorizer = authorizers.get(spec.get("authorizerId") or "", {})
                routes.append({"method": method, "path": resource["path"], "authorization": spec.get("authorizationType", "NONE"),
                               "authorizer": authorizer.get("name"), "integration": integration.get("type"),
                               "function": _function_of_uri(integration.get("uri", ""))})
        stages = sorted(s["stageName"] for s in gw.get_stages(restApiId=api_id).get("item", []))
        arn = f"arn:aws:apigateway:{region}::/restapis/{api_id}"
        details = {"id": api_id, "stages": stages, "routes": routes,
                   "authorizers": [{"name": a.get("name"), "type": a.get("type"), "providers": a.get("providerARNs", [])}
                                   for a in authorizers.values()]}
        out.append((r.add(Node(arn, "rest_api", api["name"], arn, details)), routes))
    return out


def _read_http_apis(gw: _Counting, r: _Resolver, region: str) -> list[tuple[Node, list[dict[str, Any]]]]:
    out = []
    for api in gw.pages("get_apis", "Items", "NextToken", "NextToken"):
        api_id = api["ApiId"]
        integrations = {i["IntegrationId"]: i for i in gw.pages("get_integrations", "Items", "NextToken", "NextToken", ApiId=api_id)}
        listed = list(gw.pages("get_routes", "Items", "NextToken", "NextToken", ApiId=api_id))
        # One get_authorizer per authorizer in use (moto has no get_authorizers for HTTP APIs).
        authorizers = {a: gw.get_authorizer(ApiId=api_id, AuthorizerId=a)
                       for a in sorted({x["AuthorizerId"] for x in listed if x.get("AuthorizerId")})}
        routes = []
        for route in listed:
            integration = integrations.get((route.get("Target") or "").replace("integrations/", ""), {})
            method, _, path = route["RouteKey"].partition(" ")
            authorizer = authorizers.get(route.get("AuthorizerId") or "", {})
            routes.append({"method": method if path else "ANY", "path": path or method,
                           "authorization": route.get("AuthorizationType", "NONE"), "authorizer": authorizer.get("Name"),
                           "integration": integration.get("IntegrationType"),
                           "function": _function_of_uri(integration.get("IntegrationUri", ""))})
        stages = sorted(s["StageName"] for s in gw.pages("get_stages", "Items", "NextToken", "NextToken", ApiId=api_id))
        arn = f"arn:aws:apigateway:{region}::/apis/{api_id}"
        details = {"id": api_id, "protocol": api.get("ProtocolType"), "stages": stages, "routes": routes,
                   "authorizers": [{"name": a.get("Name"), "type": a.get("AuthorizerType"),
                                    "providers": [a.get("JwtConfiguration", {}).get("Issuer", "")]
                                    if a.get("JwtConfiguration") else []} for a in authorizers.values()]}
        out.append((r.add(Node(arn, "http_api", api["Name"], arn, details)), routes))
    return out


# ----------------------------------------------------------------------------------------------
# What each function's role allows it to touch
# ----------------------------------------------------------------------------------------------
_ACCESS_KINDS = {"table", "queue", "topic", "bucket", "stream", "delivery_stream", "state_machine", "event_bus", "function"}


def _role_documents(iam: _Counting, role_name: str) -> list[dict[str, Any]]:
    docs = []
    try:
        for name in iam.pages("list_role_policies", "PolicyNames", "Marker", "Marker", RoleName=role_name):
            docs.append(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"])
        for attached in iam.pages("list_attached_role_policies", "AttachedPolicies", "Marker", "Marker", RoleName=role_name):
            if ":aws:policy/" in attached["PolicyArn"]:
                continue  # AWS managed: not loaded in the sandbox (see the module docstring)
            policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])
            docs.append(version["PolicyVersion"]["Document"])
    except iam.exceptions.NoSuchEntityException:
        return []
    return [json.loads(d) if isinstance(d, str) else d for d in docs]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def short_actions(actions: Iterable[str]) -> str:
    """``["dynamodb:PutItem", "dynamodb:GetItem"]`` -> ``"dynamodb: GetItem, PutItem"``."""
    by_service: dict[str, list[str]] = {}
    for action in actions:
        service, _, verb = action.partition(":")
        by_service.setdefault(service, [])
        if verb not in by_service[service]:
            by_service[service].append(verb)
    return "; ".join(f"{s}: {', '.join(sorted(v))}" for s, v in sorted(by_service.items()))


def _may_access(iam: _Counting, r: _Resolver, functions: list[tuple[Node, dict[str, Any]]], edges: list[Edge]) -> None:
    cache: dict[str, list[dict[str, Any]]] = {}
    for fn, config in functions:
        role_name = (config.get("Role") or "").rsplit("/", 1)[-1]
        if not role_name:
            continue
        if role_name not in cache:
            cache[role_name] = _role_documents(iam, role_name)
        allowed: dict[str, list[str]] = {}
        broad: list[str] = []
        for document in cache[role_name]:
            for statement in _as_list(document.get("Statement")):
                if statement.get("Effect") != "Allow":
                    continue
                actions = [a for a in _as_list(statement.get("Action")) if isinstance(a, str)]
                for resource in _as_list(statement.get("Resource")):
                    if resource == "*":
                        broad += [a for a in actions if not a.startswith("logs:")]
                        continue
                    found = kind_of_arn(resource)
                    if found is None or found[0] not in _ACCESS_KINDS:
                        continue
                    kind, name = found
                    targets = r.matching(kind, name) if any(ch in name for ch in "*?") else [r.resolve(resource)]
                    for target in targets:
                        if target is not None and target.id != fn.id:
                            for action in actions:
                                if action not in allowed.setdefault(target.id, []):
                                    allowed[target.id].append(action)
        for target_id, actions in allowed.items():
            edges.append(Edge(fn.id, target_id, short_actions(actions), MAY_ACCESS, {"actions": sorted(actions)}))
        if broad:
            fn.details["broad_access"] = sorted(set(broad))
