"""The capstone checker: inspects the sandbox and exercises the app, then reports item by item.

    from course_lib import capstone
    report = capstone.check(aws)     # a table: each requirement met, not met, or not checked
    report.all_met, report["worker"].detail

Each item of :mod:`course_lib.capstone.spec` is checked two ways where it can be: what exists
(read with plain boto3 calls: names, key schemas, routes, authorizers, policies) and what it
does (the checker signs two users in, calls the API with ``requests``, reads the table, and
moves the course clock a day forward to run the schedule). An item whose prerequisites are not
met is reported as *not checked* with the item it waits for, rather than failing for a reason
that is not its own. A handler that raises, a missing resource or an unexpected answer is a
finding, never a traceback.

Side effects, on purpose: the checker adds two users (``capstone-checker-a``/``-b``) to the
pool, a few orders to the table (with messages through the queue, plus one ``checker-pending-...``
order written straight to the table so that "confirmed" differs from "orders"), and advances the
course clock by a day, so the report job writes one more report. Running it again is fine.

Differs from a real-AWS check: the API is called through the course's API Gateway emulation;
the schedule runs because the course clock is advanced, not because a day passes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from course_lib.capstone import spec

MET, NOT_MET, NOT_CHECKED = "met", "not met", "not checked"
_MARK = {MET: "✔", NOT_MET: "✘", NOT_CHECKED: "–"}
CHECKER_USERS = ("capstone-checker-a", "capstone-checker-b")
_PASSWORD = "Checker-Passw0rd!"


class Unmet(Exception):
    """A requirement is not met: what was found, and a hint at what to change."""

    def __init__(self, detail: str, hint: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.hint = hint


@dataclass
class ItemResult:
    id: str
    title: str
    status: str
    detail: str
    hint: str = ""

    @property
    def met(self) -> bool:
        return self.status == MET

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "status": self.status, "detail": self.detail, "hint": self.hint}


@dataclass
class Report:
    items: list[ItemResult]

    @property
    def met(self) -> int:
        return sum(item.met for item in self.items)

    @property
    def all_met(self) -> bool:
        return self.met == len(self.items)

    def __getitem__(self, item_id: str) -> ItemResult:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def statuses(self) -> dict[str, str]:
        return {item.id: item.status for item in self.items}

    def to_dict(self) -> dict[str, Any]:
        return {"met": self.met, "total": len(self.items), "items": [item.to_dict() for item in self.items]}

    def summary(self) -> str:
        verdict = "every requirement is met" if self.all_met else "keep going"
        return f"Capstone: {self.met} of {len(self.items)} requirements met ({verdict})."

    def __str__(self) -> str:
        lines = [self.summary()]
        for item in self.items:
            lines.append(f"{_MARK[item.status]} {item.id:<16} {item.status:<12} {item.detail}")
            if item.hint and not item.met:
                lines.append(f"  {'':<16} hint: {item.hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colours = {MET: "#1a7f37", NOT_MET: "#cf222e", NOT_CHECKED: "#6e7781"}
        rows = []
        for item in self.items:
            hint = f"<br><i>Hint: {_html(item.hint)}</i>" if item.hint and not item.met else ""
            rows.append(
                f"<tr><td style='color:{colours[item.status]};font-weight:bold'>{_MARK[item.status]} {item.status}</td>"
                f"<td><b>{escape(item.title)}</b><br><code>{item.id}</code></td>"
                f"<td style='text-align:left'>{_html(item.detail)}{hint}</td></tr>"
            )
        return (
            f"<p><b>{escape(self.summary())}</b></p><table><thead><tr><th>Status</th><th>Requirement</th>"
            f"<th style='text-align:left'>What the checker found</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )


def _html(text: str) -> str:
    """Escaped, with `names` in code style as the Markdown around the report shows them."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


@dataclass
class _Found:
    """What earlier items discovered, for the items that build on them."""

    pool_id: str = ""
    pool_arn: str = ""
    client_id: str = ""
    tokens: dict[str, str] = field(default_factory=dict)  # username -> ID token
    table_arn: str = ""
    queue_url: str = ""
    queue_arn: str = ""
    api_id: str = ""
    url: str = ""
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)  # "POST /orders" -> method
    order_id: str = ""


@dataclass
class _Item:
    id: str
    needs: tuple[str, ...]
    run: Callable[["_Checker"], str]


_ITEMS: list[_Item] = []


def _item(item_id: str, needs: tuple[str, ...] = ()) -> Callable[[Callable[["_Checker"], str]], Callable[["_Checker"], str]]:
    spec.requirement(item_id)  # a typo here fails at import, not in a learner's report

    def register(run: Callable[["_Checker"], str]) -> Callable[["_Checker"], str]:
        _ITEMS.append(_Item(item_id, needs, run))
        return run

    return register


class _Checker:
    def __init__(self, aws: Any) -> None:
        self.aws = aws
        self.found = _Found()
        self.invocations: list[Any] = []

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    # -- helpers the items share ---------------------------------------------------------------
    def call(self, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
        """Call the API; returns the status and the JSON body (or the raw text)."""
        import requests

        headers = {"Authorization": token} if token else {}
        data = body if isinstance(body, str) or body is None else json.dumps(body)
        try:
            response = requests.request(method, self.found.url + path, headers=headers, data=data, timeout=30)
        except requests.RequestException as error:
            raise Unmet(f"{method} {path} did not get an answer: {error}") from None
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text

    def expect(self, what: str, got: tuple[int, Any], status: int) -> Any:
        code, body = got
        if code != status:
            raise Unmet(f"{what}: expected {status}, got {code} {_short(body)}", _status_hint(code))
        return body

    def order(self, order_id: str) -> dict[str, Any] | None:
        ddb = self.client("dynamodb")
        item = ddb.get_item(TableName=spec.TABLE, Key={spec.KEY: {"S": order_id}}, ConsistentRead=True).get("Item")
        return None if item is None else {k: _plain(v) for k, v in item.items()}

    def count_orders(self) -> tuple[int, int]:
        """(orders, confirmed) in the table, reports not counted."""
        orders = confirmed = 0
        paginator = self.client("dynamodb").get_paginator("scan")
        for page in paginator.paginate(TableName=spec.TABLE):
            for item in page["Items"]:
                key = _plain(item.get(spec.KEY, {"S": ""}))
                if str(key).startswith(spec.REPORT_PREFIX):
                    continue
                orders += 1
                confirmed += _plain(item.get("status", {"S": ""})) == "CONFIRMED"
        return orders, confirmed

    def invoked(self, function: str) -> int:
        return sum(1 for i in self.invocations if i.function_name == function)

    def function_config(self, name: str) -> dict[str, Any]:
        lam = self.client("lambda")
        try:
            return lam.get_function_configuration(FunctionName=name)
        except lam.exceptions.ResourceNotFoundException:
            raise Unmet(f"there is no Lambda function `{name}`", f"create it with that exact name") from None


def _plain(value: dict[str, Any]) -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    result = TypeDeserializer().deserialize(value)
    if hasattr(result, "as_integer_ratio") and not isinstance(result, (int, float)):
        return int(result) if result % 1 == 0 else float(result)
    return result


def _short(body: Any, limit: int = 120) -> str:
    text = body if isinstance(body, str) else json.dumps(body, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _status_hint(code: int) -> str:
    if code == 502:
        return ("502 means the function raised or returned something that is not a proxy response "
                "(statusCode, headers, body as a string); read its CloudWatch Logs")
    if code == 403:
        return "403 from API Gateway: is the route deployed to the stage (create_deployment after every change)?"
    if code == 404:
        return "is the resource path right and deployed?"
    return ""


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _names(items: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in items) or "none"


# -- the items ------------------------------------------------------------------------------------
@_item("auth")
def _auth(c: _Checker) -> str:
    idp = c.client("cognito-idp")
    pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    matching = [p for p in pools if p["Name"] == spec.POOL]
    if not matching:
        raise Unmet(f"no user pool named `{spec.POOL}` (pools: {_names([p['Name'] for p in pools])})",
                    "create_user_pool(PoolName=...)")
    pool = idp.describe_user_pool(UserPoolId=matching[-1]["Id"])["UserPool"]
    c.found.pool_id, c.found.pool_arn = pool["Id"], pool["Arn"]
    clients = idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
    named = [x for x in clients if x["ClientName"] == spec.APP_CLIENT]
    if not named:
        raise Unmet(f"the pool has no app client `{spec.APP_CLIENT}` (clients: {_names([x['ClientName'] for x in clients])})")
    client = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=named[-1]["ClientId"])["UserPoolClient"]
    flows = client.get("ExplicitAuthFlows") or []
    if not {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"} & set(flows):
        raise Unmet(f"app client `{spec.APP_CLIENT}` allows {_names(flows)}, not ALLOW_USER_PASSWORD_AUTH",
                    "ExplicitAuthFlows=['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']")
    if client.get("ClientSecret"):
        raise Unmet(f"app client `{spec.APP_CLIENT}` has a secret, so a browser app cannot sign in with it",
                    "a public web client has no secret (GenerateSecret=False)")
    c.found.client_id = client["ClientId"]
    for username in CHECKER_USERS:
        try:
            idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS",
                                  TemporaryPassword=_PASSWORD)
        except idp.exceptions.UsernameExistsException:
            pass
        idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=_PASSWORD, Permanent=True)
        try:
            result = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": username, "PASSWORD": _PASSWORD})
        except idp.exceptions.ClientError as error:
            raise Unmet(f"a test user could not sign in: {error.response['Error']['Message']}",
                        "does the pool's password policy allow a 17-character password with all character kinds?") from None
        c.found.tokens[username] = result["AuthenticationResult"]["IdToken"]
    return f"pool `{spec.POOL}` and client `{spec.APP_CLIENT}` found; two test users signed in with a password"


@_item("table")
def _table(c: _Checker) -> str:
    ddb = c.client("dynamodb")
    try:
        table = ddb.describe_table(TableName=spec.TABLE)["Table"]
    except ddb.exceptions.ResourceNotFoundException:
        tables = ddb.list_tables()["TableNames"]
        raise Unmet(f"no table `{spec.TABLE}` (tables: {_names(tables)})") from None
    keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    if keys.get("HASH") != spec.KEY or "RANGE" in keys:
        raise Unmet(f"the key schema is {keys}; the spec asks for partition key `{spec.KEY}` and no sort key",
                    "a table's key cannot change: delete and re-create it")
    if types.get(spec.KEY) != "S":
        raise Unmet(f"`{spec.KEY}` is of type {types.get(spec.KEY)}, not S (string)")
    mode = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    if mode != "PAY_PER_REQUEST":
        raise Unmet(f"the table is billed {mode}, not on demand", "BillingMode='PAY_PER_REQUEST'")
    c.found.table_arn = table["TableArn"]
    return f"`{spec.TABLE}`: partition key `{spec.KEY}` (S), on demand"


@_item("queue")
def _queue(c: _Checker) -> str:
    sqs = c.client("sqs")
    try:
        url = sqs.get_queue_url(QueueName=spec.QUEUE)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        raise Unmet(f"no queue `{spec.QUEUE}`") from None
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    c.found.queue_url, c.found.queue_arn = url, attributes["QueueArn"]
    if attributes.get("FifoQueue") == "true":
        raise Unmet("the queue is FIFO; the spec asks for a standard queue")
    if "RedrivePolicy" not in attributes:
        raise Unmet("the queue has no redrive policy, so a message that always fails is retried until it expires",
                    f"set RedrivePolicy to send it to `{spec.DLQ}`")
    redrive = json.loads(attributes["RedrivePolicy"])
    target = str(redrive.get("deadLetterTargetArn", ""))
    if target.rsplit(":", 1)[-1] != spec.DLQ:
        raise Unmet(f"the redrive policy sends messages to `{target.rsplit(':', 1)[-1]}`, not `{spec.DLQ}`")
    try:
        sqs.get_queue_url(QueueName=spec.DLQ)
    except sqs.exceptions.QueueDoesNotExist:
        raise Unmet(f"the dead-letter queue `{spec.DLQ}` does not exist") from None
    receives = int(redrive.get("maxReceiveCount", 0))
    if not 1 <= receives <= spec.MAX_RECEIVE_COUNT:
        raise Unmet(f"maxReceiveCount is {receives}; the spec asks for at most {spec.MAX_RECEIVE_COUNT}")
    visibility = int(attributes.get("VisibilityTimeout", 30))
    lam = c.client("lambda")
    try:
        timeout = lam.get_function_configuration(FunctionName=spec.WORKER_FUNCTION)["Timeout"]
    except lam.exceptions.ResourceNotFoundException:
        timeout = None
    if timeout is not None and visibility < timeout:
        raise Unmet(f"the visibility timeout ({visibility} s) is shorter than `{spec.WORKER_FUNCTION}`'s timeout ({timeout} s)",
                    "AWS recommends six times the function's timeout")
    return (f"`{spec.QUEUE}` moves a message to `{spec.DLQ}` after {receives} receive(s); "
            f"visibility timeout {visibility} s")


@_item("api-routes")
def _api_routes(c: _Checker) -> str:
    from course_lib.quiz.checks import lets_service_invoke
    from course_lib.wiring import apigateway

    gateway = c.client("apigateway")
    apis = gateway.get_rest_apis(limit=500)["items"]
    named = [a for a in apis if a["name"] == spec.API]
    if not named:
        raise Unmet(f"no REST API named `{spec.API}` (REST APIs: {_names([a['name'] for a in apis])})",
                    "create_rest_api(name=...); an HTTP API (apigatewayv2) is not what the spec asks for")
    if len(named) > 1:
        raise Unmet(f"{len(named)} REST APIs are named `{spec.API}`; delete the old ones so there is no doubt which one is the app")
    api_id = named[0]["id"]
    stages = [s["stageName"] for s in gateway.get_stages(restApiId=api_id)["item"]]
    if spec.STAGE not in stages:
        raise Unmet(f"the API is not deployed to stage `{spec.STAGE}` (stages: {_names(stages)})",
                    f"create_deployment(restApiId=..., stageName='{spec.STAGE}')")
    resources = gateway.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    by_path = {r["path"]: r for r in resources}
    function_arn = c.function_config(spec.API_FUNCTION)["FunctionArn"]
    for method, path in (("POST", "/orders"), ("GET", f"/orders/{{{spec.KEY}}}")):
        resource = by_path.get(path)
        if resource is None:
            raise Unmet(f"no resource `{path}` (paths: {_names(sorted(by_path))})")
        found = gateway.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod=method) \
            if method in resource.get("resourceMethods", {}) else None
        if found is None:
            raise Unmet(f"`{path}` has no {method} method")
        integration = found.get("methodIntegration") or {}
        if integration.get("type") != "AWS_PROXY" or function_arn not in str(integration.get("uri", "")):
            raise Unmet(f"{method} {path} is not a Lambda proxy integration of `{spec.API_FUNCTION}` "
                        f"(type {integration.get('type')}, uri {integration.get('uri', 'none')})")
        c.found.methods[f"{method} {path}"] = found
    if not lets_service_invoke(c.client("lambda"), spec.API_FUNCTION, "apigateway.amazonaws.com"):
        raise Unmet(f"`{spec.API_FUNCTION}`'s resource policy does not let API Gateway invoke it (AWS would answer 500)",
                    "lambda add_permission(Principal='apigateway.amazonaws.com', Action='lambda:InvokeFunction', SourceArn=...)")
    c.found.api_id, c.found.url = api_id, apigateway.invoke_url(api_id, spec.STAGE)
    return f"`{spec.API}` on stage `{spec.STAGE}`: POST /orders and GET /orders/{{{spec.KEY}}} invoke `{spec.API_FUNCTION}`"


@_item("api-auth", needs=("auth", "api-routes"))
def _api_auth(c: _Checker) -> str:
    from course_lib import cognito_tokens
    from course_lib.wiring import cognito_authorizer

    cognito_authorizer.install()
    gateway = c.client("apigateway")
    for name, method in c.found.methods.items():
        if method.get("authorizationType") != "COGNITO_USER_POOLS":
            raise Unmet(f"{name} has authorization {method.get('authorizationType')}, so anyone can call it",
                        "put_method(..., authorizationType='COGNITO_USER_POOLS', authorizerId=...) and redeploy")
        authorizer = gateway.get_authorizer(restApiId=c.found.api_id, authorizerId=method.get("authorizerId", ""))
        if c.found.pool_arn not in authorizer.get("providerARNs", []):
            raise Unmet(f"{name}'s authorizer trusts {authorizer.get('providerARNs')}, not `{spec.POOL}`")
    forged = cognito_tokens.tamper(c.found.tokens[CHECKER_USERS[0]], {"cognito:username": "mallory"})
    before = c.invoked(spec.API_FUNCTION)
    for token, label in ((None, "no token"), ("not-a-token", "a malformed token"), (forged, "a forged token")):
        for method, path in (("POST", "/orders"), ("GET", f"/orders/{uuid.uuid4()}")):
            code, body = c.call(method, path, token, {"item": "book", "quantity": 1} if method == "POST" else None)
            if code != 401:
                raise Unmet(f"{method} {path.split('/')[1]} with {label} got {code}, not 401 {_short(body)}")
    if c.invoked(spec.API_FUNCTION) != before:
        raise Unmet(f"`{spec.API_FUNCTION}` ran for a request that should have been refused before it")
    return "no token, a malformed one and a forged one all get 401; the function never runs for them"


@_item("create-order", needs=("auth", "api-routes", "table"))
def _create_order(c: _Checker) -> str:
    user = CHECKER_USERS[0]
    body = c.expect("POST /orders", c.call("POST", "/orders", c.found.tokens[user],
                                           {"item": "book", "quantity": 2, "owner": "mallory"}), 201)
    order_id = body.get(spec.KEY) if isinstance(body, dict) else None
    if not isinstance(order_id, str) or not order_id:
        raise Unmet(f"the 201 body has no `{spec.KEY}`: {_short(body)}")
    c.found.order_id = order_id
    stored = c.order(order_id)
    if stored is None:
        raise Unmet(f"the API answered 201 with {spec.KEY} {order_id}, but the table has no such item")
    problems = []
    if stored.get("owner") != user:
        problems.append(f"owner is {stored.get('owner')!r}, not the caller {user!r}"
                        + (" (taken from the body: never trust the body for identity)" if stored.get("owner") == "mallory" else ""))
    if stored.get("item") != "book":
        problems.append(f"item is {stored.get('item')!r}")
    if stored.get("quantity") != 2:
        problems.append(f"quantity is {stored.get('quantity')!r}, not the number 2")
    if "status" not in stored:
        problems.append("there is no status")
    if problems:
        raise Unmet("the stored order is wrong: " + "; ".join(problems))
    return f"201 with an {spec.KEY}; the table holds it with owner from the token, item, quantity and status {stored['status']}"


@_item("validate-input", needs=("auth", "api-routes", "table"))
def _validate_input(c: _Checker) -> str:
    token = c.found.tokens[CHECKER_USERS[0]]
    bad = {
        "not JSON": "this is not json",
        "no item": {"quantity": 2},
        "quantity 0": {"item": "pen", "quantity": 0},
        "quantity '3' (a string)": {"item": "pen", "quantity": "3"},
        "quantity 2.5": {"item": "pen", "quantity": 2.5},
        "quantity 101": {"item": "pen", "quantity": 101},
    }
    before_rows, before_worker = c.count_orders()[0], c.invoked(spec.WORKER_FUNCTION)
    for label, body in bad.items():
        code, answer = c.call("POST", "/orders", token, body)
        if code != 400:
            raise Unmet(f"a body with {label} got {code}, not 400 {_short(answer)}")
        if not isinstance(answer, dict) or not isinstance(answer.get("message"), str):
            raise Unmet(f"the 400 for {label} has no JSON `message`: {_short(answer)}")
    if c.count_orders()[0] != before_rows:
        raise Unmet("a rejected request still wrote an order to the table")
    if c.invoked(spec.WORKER_FUNCTION) != before_worker:
        raise Unmet("a rejected request still sent a message that the worker processed")
    return f"{len(bad)} malformed bodies each got 400 with a message; nothing was written"


@_item("read-order", needs=("create-order",))
def _read_order(c: _Checker) -> str:
    owner, other = (c.found.tokens[name] for name in CHECKER_USERS)
    order_id = c.found.order_id
    body = c.expect("GET the owner's own order", c.call("GET", f"/orders/{order_id}", owner), 200)
    if not isinstance(body, dict) or body.get(spec.KEY) != order_id or body.get("item") != "book":
        raise Unmet(f"GET /orders/{{id}} answered 200 but not with the order: {_short(body)}")
    c.expect("GET an id that does not exist", c.call("GET", f"/orders/{uuid.uuid4()}", owner), 404)
    code, answer = c.call("GET", f"/orders/{order_id}", other)
    if code != 404:
        leak = " and showed it" if code == 200 else ""
        raise Unmet(f"another user asking for this order got {code}{leak}, not 404 {_short(answer)}",
                    "compare the order's owner with the caller's cognito:username claim")
    return "the owner gets 200 and the order; an unknown id and another user's order both get 404"


@_item("worker", needs=("create-order", "queue"))
def _worker(c: _Checker) -> str:
    from course_lib import clock

    lam = c.client("lambda")
    c.function_config(spec.WORKER_FUNCTION)
    mappings = lam.list_event_source_mappings(FunctionName=spec.WORKER_FUNCTION)["EventSourceMappings"]
    mapping = next((m for m in mappings if m["EventSourceArn"] == c.found.queue_arn), None)
    if mapping is None:
        raise Unmet(f"`{spec.WORKER_FUNCTION}` has no event source mapping on `{spec.QUEUE}`",
                    "create_event_source_mapping(EventSourceArn=<queue ARN>, FunctionName=...)")
    if mapping.get("State") not in ("Enabled", "Enabling", "Updating"):
        raise Unmet(f"the event source mapping is {mapping.get('State')}")
    clock.settle()
    status = (c.order(c.found.order_id) or {}).get("status")
    if status != "CONFIRMED":
        # A batching window holds messages back; let the course clock pass it.
        clock.advance(seconds=int(mapping.get("MaximumBatchingWindowInSeconds") or 0) + 1)
        status = (c.order(c.found.order_id) or {}).get("status")
    if status != "CONFIRMED":
        raise Unmet(f"the new order's status is still {status!r}, not 'CONFIRMED'",
                    f"does the API send {{\"{spec.KEY}\": ...}} to the queue, and does the worker update that item? "
                    "Read both functions' logs")
    return f"the mapping from `{spec.QUEUE}` is enabled; the order became CONFIRMED through the queue"


def _daily(expression: str) -> bool:
    from course_lib.wiring.schedules import ScheduleExpression

    runs = ScheduleExpression(expression).upcoming(4)
    gaps = {(b - a).total_seconds() for a, b in zip(runs, runs[1:])}
    return len(runs) == 4 and gaps == {86400.0}


@_item("daily-report", needs=("table",))
def _daily_report(c: _Checker) -> str:
    from course_lib import clock
    from course_lib.quiz.checks import lets_service_invoke

    events, lam = c.client("events"), c.client("lambda")
    try:
        rule = events.describe_rule(Name=spec.RULE)
    except events.exceptions.ResourceNotFoundException:
        raise Unmet(f"no EventBridge rule `{spec.RULE}`") from None
    expression = rule.get("ScheduleExpression")
    if not expression:
        raise Unmet(f"`{spec.RULE}` has no schedule expression (it matches events instead)")
    try:
        daily = _daily(expression)
    except (ValueError, KeyError) as error:
        raise Unmet(f"`{expression}` is not a valid schedule expression: {error}") from None
    if not daily:
        raise Unmet(f"`{expression}` does not run exactly once a day", "rate(1 day) or cron(0 6 * * ? *)")
    if rule.get("State") != "ENABLED":
        raise Unmet(f"`{spec.RULE}` is {rule.get('State')}")
    report_arn = c.function_config(spec.REPORT_FUNCTION)["FunctionArn"]
    targets = events.list_targets_by_rule(Rule=spec.RULE)["Targets"]
    if not any(t["Arn"].split(":")[:7] == report_arn.split(":")[:7] for t in targets):
        raise Unmet(f"`{spec.RULE}` does not target `{spec.REPORT_FUNCTION}` (targets: {_names([t['Arn'] for t in targets])})")
    if not lets_service_invoke(lam, spec.REPORT_FUNCTION, "events.amazonaws.com"):
        raise Unmet(f"`{spec.REPORT_FUNCTION}`'s resource policy does not let EventBridge invoke it",
                    "lambda add_permission(Principal='events.amazonaws.com', SourceArn=<rule ARN>, ...)")
    # An order whose message is still in flight, so that "confirmed" and "orders" must differ.
    c.client("dynamodb").put_item(TableName=spec.TABLE, Item={
        spec.KEY: {"S": f"checker-pending-{uuid.uuid4()}"}, "owner": {"S": CHECKER_USERS[1]},
        "item": {"S": "pen"}, "quantity": {"N": "1"}, "status": {"S": "PENDING"},
    })
    orders, confirmed = c.count_orders()
    before = _report_keys(c)
    moved = clock.advance(hours=24, minutes=1)
    ran = moved.invocation_counts().get(spec.REPORT_FUNCTION, 0)
    if not ran:
        raise Unmet(f"a day passed on the course clock and `{spec.REPORT_FUNCTION}` did not run")
    failed = [i for i in moved.errors if i.function_name == spec.REPORT_FUNCTION]
    if failed:
        raise Unmet(f"`{spec.REPORT_FUNCTION}` raised {failed[-1].error_type} when the schedule ran it; read its logs")
    new = sorted(_report_keys(c) - before)
    days = {(dt.datetime.fromtimestamp(moved.start, dt.timezone.utc) + dt.timedelta(days=n)).date().isoformat() for n in (0, 1)}
    fresh = [key for key in new if key[len(spec.REPORT_PREFIX):] in days]
    if not fresh:
        raise Unmet(f"the run wrote no `{spec.REPORT_PREFIX}YYYY-MM-DD` item for the run's date ({' or '.join(sorted(days))}); "
                    f"new report items: {_names(new)}")
    report = c.order(fresh[-1]) or {}
    if report.get("orders") != orders or report.get("confirmed") != confirmed:
        raise Unmet(f"`{fresh[-1]}` says orders={report.get('orders')!r}, confirmed={report.get('confirmed')!r}; "
                    f"the table holds {orders} orders, {confirmed} confirmed")
    return f"`{expression}` ran `{spec.REPORT_FUNCTION}` once in a day; `{fresh[-1]}` counts {_plural(orders, 'order')}, {confirmed} confirmed"


def _report_keys(c: _Checker) -> set[str]:
    ddb = c.client("dynamodb")
    keys = set()
    for page in ddb.get_paginator("scan").paginate(TableName=spec.TABLE, ProjectionExpression=spec.KEY):
        keys |= {str(_plain(item[spec.KEY])) for item in page["Items"] if spec.KEY in item}
    return {key for key in keys if key.startswith(spec.REPORT_PREFIX)}


_NEEDS = {
    spec.API_FUNCTION: ([("dynamodb:PutItem", "table"), ("dynamodb:GetItem", "table"), ("sqs:SendMessage", "queue")]),
    spec.WORKER_FUNCTION: ([("dynamodb:UpdateItem", "table"), ("sqs:ReceiveMessage", "queue"),
                            ("sqs:DeleteMessage", "queue"), ("sqs:GetQueueAttributes", "queue")]),
    spec.REPORT_FUNCTION: ([("dynamodb:Scan", "table"), ("dynamodb:PutItem", "table")]),
}


@_item("least-privilege", needs=("table", "queue"))
def _least_privilege(c: _Checker) -> str:
    from course_lib import iam_policies

    roles = {name: c.function_config(name)["Role"].rsplit("/", 1)[-1] for name in spec.FUNCTIONS}
    shared = {role for role in roles.values() if list(roles.values()).count(role) > 1}
    if shared:
        users = [f for f, r in roles.items() if r in shared]
        raise Unmet(f"{_names(users)} share role {_names(sorted(shared))}; each function gets its own")
    arns = {"table": c.found.table_arn, "queue": c.found.queue_arn}
    for function, role in roles.items():
        documents = iam_policies.policies_of(c.aws, role=role)
        for document in documents:
            statements = document.get("Statement", [])
            for statement in statements if isinstance(statements, list) else [statements]:
                if statement.get("Effect") != "Allow":
                    continue
                if "NotAction" in statement or "NotResource" in statement:
                    raise Unmet(f"role `{role}` allows with NotAction/NotResource, which grants far more than it names")
                actions = statement.get("Action", [])
                actions = actions if isinstance(actions, list) else [actions]
                broad = [a for a in actions if a == "*" or a.endswith(":*")]
                if broad:
                    raise Unmet(f"role `{role}` ({function}) allows {_names(broad)}",
                                "name the actions the function calls, e.g. dynamodb:PutItem")
                resources = statement.get("Resource", [])
                resources = resources if isinstance(resources, list) else [resources]
                data = [a for a in actions if a.lower().startswith(("dynamodb:", "sqs:"))]
                if data and "*" in resources:
                    raise Unmet(f"role `{role}` ({function}) allows {_names(data)} on every resource (`*`)",
                                "use the table's and the queue's ARNs as Resource")
        for action, target in _NEEDS[function]:
            decision = iam_policies.evaluate(documents, action, arns[target])
            if not decision.allowed:
                raise Unmet(f"role `{role}` does not allow {action} on the {target}, which `{function}` needs")
    return "three roles, one per function; only named actions on the table and the queue; each has what it needs"


# -- running it -----------------------------------------------------------------------------------
def _run_item(item: _Item, checker: _Checker, results: dict[str, ItemResult]) -> ItemResult:
    req = spec.requirement(item.id)
    waiting = [need for need in item.needs if not results[need].met]
    if waiting:
        return ItemResult(item.id, req.title, NOT_CHECKED, f"needs {_names(waiting)} to be met first")
    try:
        return ItemResult(item.id, req.title, MET, item.run(checker))
    except Unmet as unmet:
        return ItemResult(item.id, req.title, NOT_MET, unmet.detail, unmet.hint)
    except Exception as error:  # a learner's build can fail in ways no check foresaw
        return ItemResult(item.id, req.title, NOT_MET, f"checking it failed: {type(error).__name__}: {error}")


def check(aws: Any = None) -> Report:
    """Check the capstone in ``aws`` (default: the running sandbox) and report item by item."""
    from course_lib.runtime import executor
    from course_lib.sandbox import start

    sandbox = aws or start()
    checker = _Checker(sandbox)
    executor.add_listener(checker.invocations.append)
    results: dict[str, ItemResult] = {}
    try:
        # Handlers' output goes to their logs only: the report is what the learner reads here.
        with executor.quiet():
            for item in _ITEMS:
                results[item.id] = _run_item(item, checker, results)
    finally:
        executor.remove_listener(checker.invocations.append)
    return Report([results[req.id] for req in spec.REQUIREMENTS])
