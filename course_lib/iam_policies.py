"""IAM identity-based policies, evaluated the way AWS evaluates them, and enforced on DynamoDB calls.

    from course_lib import iam_policies
    decision = iam_policies.evaluate([policy], "dynamodb:Query", table_arn,
                                     {"dynamodb:LeadingKeys": ["C007"]})
    decision.allowed, decision.reason

    orders = iam_policies.as_role(aws, "support-agent").resource("dynamodb").Table("orders")
    orders.query(...)        # checked against the role's policies first; AccessDeniedException if not allowed

Evaluation follows AWS's logic for identity-based policies in one account: a request is denied
unless some statement allows it, and any matching ``Deny`` wins over every ``Allow``. A
statement matches when its ``Action`` (or ``NotAction``) and ``Resource`` (or ``NotResource``)
match, with ``*`` and ``?`` wildcards (actions case-insensitively), and every ``Condition``
holds. Supported condition operators: the ``String*`` family (``StringEquals``,
``StringNotEquals``, ``StringEqualsIgnoreCase``, ``StringLike``, ``StringNotLike``), ``Bool``,
the ``Numeric*`` family and ``Null``, with the ``ForAllValues:``/``ForAnyValue:`` prefixes and
the ``IfExists`` suffix; anything else raises :class:`UnsupportedPolicy` rather than guess.

For DynamoDB, the request context is built from the call: the action (``dynamodb:GetItem``),
the resource (the table's ARN, ``.../index/NAME`` for an index) and ``dynamodb:LeadingKeys``,
the partition key values the request touches (for a Query, the value its key condition names).
A Scan names none, which is why a ``ForAllValues:`` condition on ``dynamodb:LeadingKeys``
would *not* stop a Scan: allow only the actions you mean.

Why not moto's own enforcement: moto checks DynamoDB requests by action only (every one is
matched against resource ``*``, conditions ignored), so table-level and item-level policies
could not be shown. (``course_lib.iam_enforcement`` turns moto's enforcement on for Lambda
handlers running as their execution role; this module adds the table, index and condition
checks moto lacks, for DynamoDB calls made through :class:`PolicyCheckedSession`.) Differs from AWS: only identity-based
policies attached to a role or user (inline and managed) are evaluated; resource-based
policies, permission boundaries, SCPs and session policies are not; ``dynamodb:Attributes``,
``dynamodb:Select`` and the global ``aws:*`` keys are not in the request context.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Sequence

from botocore.exceptions import ClientError

ALLOWED = "allowed"
EXPLICIT_DENY = "explicit deny"
IMPLICIT_DENY = "implicit deny"


class UnsupportedPolicy(ValueError):
    """A policy uses something this evaluator does not implement (it never guesses)."""


@dataclass(frozen=True)
class Decision:
    action: str
    resource: str
    outcome: str  # ALLOWED | EXPLICIT_DENY | IMPLICIT_DENY
    statement: str = ""  # the Sid (or position) of the deciding statement

    @property
    def allowed(self) -> bool:
        return self.outcome == ALLOWED

    @property
    def reason(self) -> str:
        if self.outcome == ALLOWED:
            return f"allowed by statement {self.statement}"
        if self.outcome == EXPLICIT_DENY:
            return f"explicitly denied by statement {self.statement}"
        return f"no identity-based policy allows the {self.action} action"

    def __repr__(self) -> str:
        return f"<Decision {self.action} on {self.resource}: {self.reason}>"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's wildcards: ``*`` any run of characters, ``?`` any one character."""
    regex = "^" + ".*".join(re.escape(part).replace("\\?", ".") for part in pattern.split("*")) + "$"
    return re.match(regex, value, re.IGNORECASE if ignore_case else 0) is not None


# -- conditions ------------------------------------------------------------------------------
def _string_match(op: str, policy_value: str, value: str) -> bool:
    if op == "StringEquals":
        return value == policy_value
    if op == "StringEqualsIgnoreCase":
        return value.lower() == policy_value.lower()
    if op == "StringLike":
        return _wildcard(policy_value, value)
    raise UnsupportedPolicy(op)


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


_NUMERIC = {
    "NumericEquals": lambda a, b: a == b,
    "NumericLessThan": lambda a, b: a < b,
    "NumericLessThanEquals": lambda a, b: a <= b,
    "NumericGreaterThan": lambda a, b: a > b,
    "NumericGreaterThanEquals": lambda a, b: a >= b,
}
_NEGATED = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
            "StringNotLike": "StringLike", "NumericNotEquals": "NumericEquals"}


def _value_matches(op: str, policy_values: list[Any], value: Any) -> bool:
    """One request value against a condition's values (OR over the values)."""
    if op in ("StringEquals", "StringEqualsIgnoreCase", "StringLike"):
        return any(_string_match(op, str(p), str(value)) for p in policy_values)
    if op == "Bool":
        return any(str(p).lower() == str(value).lower() for p in policy_values)
    if op in _NUMERIC:
        v = _number(value)
        return v is not None and any((n := _number(p)) is not None and _NUMERIC[op](v, n) for p in policy_values)
    raise UnsupportedPolicy(f"condition operator {op!r} is not supported by course_lib.iam_policies")


def _condition_holds(operator: str, key: str, policy_values: list[Any], context: Mapping[str, Sequence[Any]]) -> bool:
    qualifier, _, op = operator.rpartition(":")
    if_exists = op.endswith("IfExists")
    op = op.removesuffix("IfExists")
    present = key in context and len(context[key]) > 0
    values = list(context.get(key, []))
    if op == "Null":  # "true": the key must be absent
        wants_absent = str(_as_list(policy_values)[0]).lower() == "true"
        return (not present) == wants_absent
    negated = op in _NEGATED
    base = _NEGATED.get(op, op)
    if qualifier == "ForAllValues":
        if not present:
            return True  # vacuously true: every one of no values matches
        result = all(_value_matches(base, policy_values, v) for v in values)
        return (not result) if negated else result
    if qualifier == "ForAnyValue":
        if not present:
            return False
        result = any(_value_matches(base, policy_values, v) for v in values)
        return (not result) if negated else result
    if qualifier:
        raise UnsupportedPolicy(f"condition qualifier {qualifier!r} is not supported")
    if not present:
        return if_exists or negated  # a negated operator holds when the key is absent
    result = any(_value_matches(base, policy_values, v) for v in values)
    return (not result) if negated else result


def _conditions_hold(block: Mapping[str, Mapping[str, Any]] | None, context: Mapping[str, Sequence[Any]]) -> bool:
    for operator, keys in (block or {}).items():
        for key, policy_values in keys.items():
            if not _condition_holds(operator, key, _as_list(policy_values), context):
                return False
    return True


# -- statements and policies -----------------------------------------------------------------
def _statement_applies(statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, Sequence[Any]]) -> bool:
    if "Action" in statement:
        if not any(_wildcard(p, action, ignore_case=True) for p in _as_list(statement["Action"])):
            return False
    elif "NotAction" in statement:
        if any(_wildcard(p, action, ignore_case=True) for p in _as_list(statement["NotAction"])):
            return False
    else:
        raise UnsupportedPolicy("a statement needs Action or NotAction")
    if "Resource" in statement:
        if not any(_wildcard(p, resource) for p in _as_list(statement["Resource"])):
            return False
    elif "NotResource" in statement:
        if any(_wildcard(p, resource) for p in _as_list(statement["NotResource"])):
            return False
    if "Principal" in statement or "NotPrincipal" in statement:
        raise UnsupportedPolicy("Principal belongs in resource-based policies, which are not evaluated here")
    return _conditions_hold(statement.get("Condition"), context)


def evaluate(
    policies: Iterable[Mapping[str, Any]],
    action: str,
    resource: str,
    context: Mapping[str, Sequence[Any]] | None = None,
) -> Decision:
    """Is ``action`` on ``resource`` allowed by these identity-based policy documents?"""
    context = context or {}
    allow = ""
    for p_index, policy in enumerate(policies, start=1):
        for s_index, statement in enumerate(_as_list(policy.get("Statement")), start=1):
            if not _statement_applies(statement, action, resource, context):
                continue
            name = repr(statement.get("Sid") or f"{s_index} of policy {p_index}")
            if statement.get("Effect") == "Deny":
                return Decision(action, resource, EXPLICIT_DENY, name)
            if statement.get("Effect") == "Allow" and not allow:
                allow = name
    return Decision(action, resource, ALLOWED if allow else IMPLICIT_DENY, allow)


# -- where policies live: IAM roles and users in the sandbox ---------------------------------
def policies_of(sandbox: Any, role: str | None = None, user: str | None = None) -> list[dict[str, Any]]:
    """The inline and attached managed policy documents of an IAM role or user, read from IAM."""
    if (role is None) == (user is None):
        raise ValueError("give exactly one of role= or user=")
    iam = sandbox.client("iam")
    kind, name = ("Role", role) if role else ("User", user)
    documents = []
    inline = getattr(iam, f"list_{kind.lower()}_policies")(**{f"{kind}Name": name})["PolicyNames"]
    for policy_name in inline:
        doc = getattr(iam, f"get_{kind.lower()}_policy")(**{f"{kind}Name": name, "PolicyName": policy_name})["PolicyDocument"]
        documents.append(doc)
    attached = getattr(iam, f"list_attached_{kind.lower()}_policies")(**{f"{kind}Name": name})["AttachedPolicies"]
    for entry in attached:
        version = iam.get_policy(PolicyArn=entry["PolicyArn"])["Policy"]["DefaultVersionId"]
        documents.append(iam.get_policy_version(PolicyArn=entry["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"])
    return [_as_document(d) for d in documents]


def _as_document(doc: Any) -> dict[str, Any]:
    if isinstance(doc, str):
        from urllib.parse import unquote

        return json.loads(unquote(doc))
    return dict(doc)


# -- DynamoDB requests -----------------------------------------------------------------------
_TABLE_OPERATIONS_WITH_KEY = ("GetItem", "PutItem", "UpdateItem", "DeleteItem")


def _plain(value: Mapping[str, Any]) -> str:
    (kind, raw), = value.items()
    return str(raw) if kind in ("S", "N") else repr(raw)


def dynamodb_request(operation: str, params: Mapping[str, Any], partition_key: str | None, region: str, account: str) -> list[tuple[str, str, dict[str, list[str]]]]:
    """The (action, resource, context) checks one DynamoDB call needs.

    ``params`` are the low-level request parameters; ``partition_key`` is the table's partition
    key attribute name (from DescribeTable), used for ``dynamodb:LeadingKeys``."""
    action = f"dynamodb:{operation}"
    table = params.get("TableName")
    if table is None:
        return [(action, "*", {})]
    arn = f"arn:aws:dynamodb:{region}:{account}:table/{table}"
    if params.get("IndexName"):
        arn += f"/index/{params['IndexName']}"
    context: dict[str, list[str]] = {}
    if partition_key:
        if operation in _TABLE_OPERATIONS_WITH_KEY:
            source = params.get("Key") or params.get("Item") or {}
            if partition_key in source:
                context["dynamodb:LeadingKeys"] = [_plain(source[partition_key])]
        elif operation == "Query":
            value = _query_partition_value(params, partition_key)
            if value is not None:
                context["dynamodb:LeadingKeys"] = [value]
    return [(action, arn, context)]


def _query_partition_value(params: Mapping[str, Any], partition_key: str) -> str | None:
    """The value a Query's key condition requires of the partition key (``pk = :v``)."""
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    for left, right in re.findall(r"([#\w.]+)\s*=\s*(:\w+)", str(params.get("KeyConditionExpression", ""))):
        if names.get(left, left) == partition_key and right in values:
            return _plain(values[right])
    return None


class AccessDenied(ClientError):
    """What AWS answers when a policy does not allow the call (error code AccessDeniedException)."""


def _denial(principal: str, decision: Decision, operation: str) -> AccessDenied:
    why = (
        "with an explicit deny in an identity-based policy"
        if decision.outcome == EXPLICIT_DENY
        else f"because no identity-based policy allows the {decision.action} action"
    )
    message = f"User: {principal} is not authorized to perform: {decision.action} on resource: {decision.resource} {why}"
    return AccessDenied(
        {"Error": {"Code": "AccessDeniedException", "Message": message},
         "ResponseMetadata": {"HTTPStatusCode": 400}},
        operation,
    )


class PolicyCheckedSession:
    """boto3 clients and resources (DynamoDB only) whose every call is first checked against a
    principal's identity-based policies, as IAM would check it on AWS."""

    def __init__(self, sandbox: Any, policies: Sequence[Mapping[str, Any]], principal: str) -> None:
        self._sandbox = sandbox
        self.policies = [dict(p) for p in policies]
        self.principal = principal
        self._key_cache: dict[str, str | None] = {}
        self.decisions: list[Decision] = []  # every decision taken, newest last

    def _partition_key(self, table: str) -> str | None:
        if table not in self._key_cache:
            try:
                schema = self._sandbox.client("dynamodb").describe_table(TableName=table)["Table"]["KeySchema"]
                self._key_cache[table] = next(k["AttributeName"] for k in schema if k["KeyType"] == "HASH")
            except ClientError:
                self._key_cache[table] = None
        return self._key_cache[table]

    def _check(self, params: Mapping[str, Any], model: Any, **_: Any) -> None:
        # ``params`` is the serialized request: its JSON body is exactly what goes on the wire.
        operation = model.name
        body = params.get("body") or b"{}"
        params = json.loads(body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body)
        table = params.get("TableName")
        checks = dynamodb_request(
            operation, params, self._partition_key(table) if table else None,
            self._sandbox.region, self._sandbox.account_id,
        )
        for action, resource, context in checks:
            decision = evaluate(self.policies, action, resource, context)
            self.decisions.append(decision)
            if not decision.allowed:
                raise _denial(self.principal, decision, operation)

    def client(self, service: str = "dynamodb") -> Any:
        if service != "dynamodb":
            raise UnsupportedPolicy("course_lib.iam_policies enforces DynamoDB calls only")
        client = self._sandbox.client("dynamodb")
        client.meta.events.register("before-call.dynamodb", self._check)
        return client

    def resource(self, service: str = "dynamodb") -> Any:
        if service != "dynamodb":
            raise UnsupportedPolicy("course_lib.iam_policies enforces DynamoDB calls only")
        resource = self._sandbox.resource("dynamodb")
        resource.meta.client.meta.events.register("before-call.dynamodb", self._check)
        return resource


def as_role(sandbox: Any, role: str, session_name: str = "course") -> PolicyCheckedSession:
    """DynamoDB access as an IAM role in the sandbox: its policies are read from IAM now."""
    principal = f"arn:aws:sts::{sandbox.account_id}:assumed-role/{role}/{session_name}"
    return PolicyCheckedSession(sandbox, policies_of(sandbox, role=role), principal)


def as_user(sandbox: Any, user: str) -> PolicyCheckedSession:
    principal = f"arn:aws:iam::{sandbox.account_id}:user/{user}"
    return PolicyCheckedSession(sandbox, policies_of(sandbox, user=user), principal)
