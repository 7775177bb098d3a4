"""Events of AWS's real shapes, for unit-testing a handler without deploying it.

    from course_lib import events
    from app import handler
    handler(events.api_gateway_rest("GET", "/items/42", resource="/items/{id}",
                                    path_parameters={"id": "42"}), None)
    handler(events.sqs("first", "second"), None)
    handler(events.s3("uploads", "photos/cat 1.jpg", size=1024), None)

One builder per source the course uses: API Gateway REST (payload 1.0) and HTTP API
(payload 2.0), Lambda Function URLs, SQS, SNS, S3, DynamoDB Streams, Kinesis, EventBridge
(scheduled and custom) and CloudWatch Logs subscriptions. Every key AWS's own sample events
carry is present with the same JSON type; values you do not give are realistic defaults
(account ``123456789012``, Region ``us-east-1``, fresh ids, the course clock's time).

The wirings in :mod:`course_lib.wiring` build the events they deliver with these same
functions, so what a deployed handler receives and what a unit test feeds it agree.

Differs from AWS: ids, signatures, trace ids and sequence numbers are well-formed but random
(an SNS ``Signature`` cannot be verified); the ``identity`` block of API Gateway events is
that of an anonymous caller unless you pass one.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import itertools
import json
import secrets
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote_plus

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
# What AWS shows as the SenderId / principal of the sandbox's fake IAM user.
PRINCIPAL_ID = "AIDAIENQZJOLO23YVJ4VO"

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def _course_time() -> float:
    from course_lib import clock

    return clock.time()


def _epoch(when: dt.datetime | float | int | None) -> float:
    if when is None:
        return _course_time()
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return when.timestamp()
    return float(when)


def _utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


def iso_millis(when: dt.datetime | float | None = None) -> str:
    """``2025-01-31T12:00:00.123Z``: S3, SNS and destination records use this form."""
    return _utc(_epoch(when)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso_seconds(when: dt.datetime | float | None = None) -> str:
    """``2025-01-31T12:00:00Z``: EventBridge events use this form."""
    return _utc(_epoch(when)).strftime("%Y-%m-%dT%H:%M:%SZ")


def clf_time(when: dt.datetime | float | None = None) -> str:
    """``31/Jan/2025:12:00:00 +0000``: API Gateway's requestTime."""
    return _utc(_epoch(when)).strftime("%d/%b/%Y:%H:%M:%S +0000")


def next_sequence() -> int:
    """A process-wide increasing number (S3 sequencers, stream sequence numbers)."""
    with _counter_lock:
        return next(_counter)


def trace_id(when: float | None = None) -> str:
    """An X-Ray trace id: ``Root=1-<8 hex epoch>-<24 hex random>``."""
    return f"Root=1-{int(_epoch(when)):08x}-{secrets.token_hex(12)}"


def _request_id() -> str:
    return str(uuid.uuid4())


# -- HTTP: API Gateway REST (1.0), HTTP API (2.0), Function URLs ----------------------------


def _header_pairs(headers: Mapping[str, Any] | Iterable[tuple[str, str]] | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        pairs: list[tuple[str, str]] = []
        for name, value in headers.items():
            if isinstance(value, (list, tuple)):
                pairs += [(name, str(v)) for v in value]
            else:
                pairs.append((name, str(value)))
        return pairs
    return [(str(n), str(v)) for n, v in headers]


def _query_pairs(query: str | Mapping[str, Any] | Iterable[tuple[str, str]] | None) -> list[tuple[str, str]]:
    if query is None:
        return []
    if isinstance(query, str):
        return parse_qsl(query.lstrip("?"), keep_blank_values=True)
    return _header_pairs(query)


def _raw_query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)


def _body_fields(body: str | bytes | Mapping[str, Any] | list[Any] | None, is_base64: bool | None) -> tuple[str | None, bool]:
    if body is None:
        return None, bool(is_base64)
    if isinstance(body, (dict, list)):
        return json.dumps(body), False
    if isinstance(body, (bytes, bytearray)):
        if is_base64 is False:
            return bytes(body).decode("utf-8"), False
        return base64.b64encode(bytes(body)).decode("ascii"), True
    return str(body), bool(is_base64)


def _identity(source_ip: str, user_agent: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "cognitoIdentityPoolId": None,
        "accountId": None,
        "cognitoIdentityId": None,
        "caller": None,
        "apiKey": None,
        "apiKeyId": None,
        "accessKey": None,
        "sourceIp": source_ip,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "userArn": None,
        "userAgent": user_agent,
        "user": None,
        "principalOrgId": None,
        "clientCert": None,
    }
    identity.update(extra or {})
    return identity


def api_gateway_rest(
    method: str = "GET",
    path: str = "/",
    *,
    resource: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    query: str | Mapping[str, Any] | Iterable[tuple[str, str]] | None = None,
    headers: Mapping[str, Any] | Iterable[tuple[str, str]] | None = None,
    body: str | bytes | Mapping[str, Any] | list[Any] | None = None,
    is_base64: bool | None = None,
    stage: str = "prod",
    stage_variables: Mapping[str, str] | None = None,
    api_id: str = "a1b2c3d4e5",
    resource_id: str = "abc123",
    account_id: str = ACCOUNT_ID,
    region: str = REGION,
    source_ip: str = "127.0.0.1",
    domain_name: str | None = None,
    request_id: str | None = None,
    time: dt.datetime | float | None = None,
    authorizer: Mapping[str, Any] | None = None,
    identity: Mapping[str, Any] | None = None,
    protocol: str = "HTTP/1.1",
) -> dict[str, Any]:
    """A REST API ``AWS_PROXY`` event (payload format 1.0).

    ``path`` is the request path after the stage (``/items/42``); ``resource`` the matched
    resource template (``/items/{id}``, defaults to ``path``). ``headers`` and ``query``
    may repeat names (a list of pairs, or a list value): ``headers``/``queryStringParameters``
    then hold the last value and the ``multiValue*`` maps all of them, as AWS does. A ``bytes``
    body is base64-encoded with ``isBase64Encoded`` true (what AWS does for binary media types).
    """
    epoch = _epoch(time)
    domain = domain_name or f"{api_id}.execute-api.{region}.amazonaws.com"
    header_pairs = _header_pairs(headers) or [("Host", domain)]
    single_headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in header_pairs:
        single_headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    user_agent = next((v for n, v in header_pairs if n.lower() == "user-agent"), "")
    query_pairs = _query_pairs(query)
    single_query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for name, value in query_pairs:
        single_query[name] = value
        multi_query.setdefault(name, []).append(value)
    text, encoded = _body_fields(body, is_base64)
    request_id = request_id or _request_id()
    context: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": api_id,
        "extendedRequestId": base64.b64encode(secrets.token_bytes(6)).decode("ascii").rstrip("=") + "=",
        "httpMethod": method.upper(),
        "identity": _identity(source_ip, user_agent, identity),
        "path": f"/{stage}{path}" if stage != "$default" else path,
        "protocol": protocol,
        "requestId": request_id,
        "requestTime": clf_time(epoch),
        "requestTimeEpoch": int(epoch * 1000),
        "resourceId": resource_id,
        "resourcePath": resource or path,
        "stage": stage,
    }
    if authorizer is not None:
        context["authorizer"] = dict(authorizer)
    return {
        "version": "1.0",
        "resource": resource or path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": dict(stage_variables) if stage_variables else None,
        "requestContext": context,
        "body": text,
        "isBase64Encoded": encoded,
    }


def _http_v2(
    method: str,
    path: str,
    *,
    route_key: str,
    raw_query: str | None,
    query: Any,
    path_parameters: Mapping[str, str] | None,
    headers: Any,
    cookies: Sequence[str] | None,
    body: Any,
    is_base64: bool | None,
    stage: str,
    stage_variables: Mapping[str, str] | None,
    api_id: str,
    account_id: str,
    domain: str,
    source_ip: str,
    request_id: str | None,
    time: dt.datetime | float | None,
    authorizer: Mapping[str, Any] | None,
    protocol: str,
) -> dict[str, Any]:
    epoch = _epoch(time)
    joined: dict[str, str] = {}
    cookie_list = list(cookies or [])
    for name, value in _header_pairs(headers) or [("host", domain)]:
        name = name.lower()  # HTTP APIs and Function URLs lower-case header names
        if name == "cookie":
            # Cookies move from the header to the ``cookies`` list.
            cookie_list += [c.strip() for c in value.split(";") if c.strip()]
            continue
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    query_pairs = _query_pairs(query)
    single_query: dict[str, str] = {}
    for name, value in query_pairs:
        single_query[name] = f"{single_query[name]},{value}" if name in single_query else value
    text, encoded = _body_fields(body, is_base64)
    request_id = request_id or base64.b64encode(secrets.token_bytes(6)).decode("ascii").rstrip("=") + "="
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": raw_query if raw_query is not None else _raw_query(query_pairs),
        "headers": joined,
        "requestContext": {
            "accountId": account_id,
            "apiId": api_id,
            "domainName": domain,
            "domainPrefix": domain.split(".")[0],
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": protocol,
                "sourceIp": source_ip,
                "userAgent": joined.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": stage,
            "time": clf_time(epoch),
            "timeEpoch": int(epoch * 1000),
        },
        "isBase64Encoded": encoded,
    }
    # HTTP APIs leave these keys out when there is nothing to put in them.
    if cookie_list:
        event["cookies"] = cookie_list
    if single_query:
        event["queryStringParameters"] = single_query
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    if text is not None and text != "":
        event["body"] = text
    if authorizer is not None:
        event["requestContext"]["authorizer"] = dict(authorizer)
    return event


def api_gateway_http(
    method: str = "GET",
    path: str = "/",
    *,
    route_key: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    query: str | Mapping[str, Any] | Iterable[tuple[str, str]] | None = None,
    raw_query: str | None = None,
    headers: Mapping[str, Any] | Iterable[tuple[str, str]] | None = None,
    cookies: Sequence[str] | None = None,
    body: str | bytes | Mapping[str, Any] | list[Any] | None = None,
    is_base64: bool | None = None,
    stage: str = "$default",
    stage_variables: Mapping[str, str] | None = None,
    api_id: str = "a1b2c3d4e5",
    account_id: str = ACCOUNT_ID,
    region: str = REGION,
    source_ip: str = "127.0.0.1",
    request_id: str | None = None,
    time: dt.datetime | float | None = None,
    authorizer: Mapping[str, Any] | None = None,
    protocol: str = "HTTP/1.1",
) -> dict[str, Any]:
    """An HTTP API event (payload format 2.0).

    ``route_key`` is the matched route (``GET /items/{id}``; default ``$default``). Repeated
    headers and query parameters are joined with commas; a ``Cookie`` header becomes the
    ``cookies`` list; keys with nothing to carry (``cookies``, ``queryStringParameters``,
    ``pathParameters``, ``stageVariables``, ``body``) are left out, as AWS leaves them out.
    """
    return _http_v2(
        method,
        path,
        route_key=route_key or "$default",
        raw_query=raw_query,
        query=query,
        path_parameters=path_parameters,
        headers=headers,
        cookies=cookies,
        body=body,
        is_base64=is_base64,
        stage=stage,
        stage_variables=stage_variables,
        api_id=api_id,
        account_id=account_id,
        domain=f"{api_id}.execute-api.{region}.amazonaws.com",
        source_ip=source_ip,
        request_id=request_id,
        time=time,
        authorizer=authorizer,
        protocol=protocol,
    )


def function_url(
    method: str = "GET",
    path: str = "/",
    *,
    query: str | Mapping[str, Any] | Iterable[tuple[str, str]] | None = None,
    raw_query: str | None = None,
    headers: Mapping[str, Any] | Iterable[tuple[str, str]] | None = None,
    cookies: Sequence[str] | None = None,
    body: str | bytes | Mapping[str, Any] | list[Any] | None = None,
    is_base64: bool | None = None,
    url_id: str = "abcdefghijklmnopqrstuvwxyz012345",
    region: str = REGION,
    source_ip: str = "127.0.0.1",
    request_id: str | None = None,
    time: dt.datetime | float | None = None,
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A Lambda Function URL event: payload 2.0, ``accountId`` ``anonymous`` (AuthType NONE)."""
    return _http_v2(
        method,
        path,
        route_key="$default",
        raw_query=raw_query,
        query=query,
        path_parameters=None,
        headers=headers,
        cookies=cookies,
        body=body,
        is_base64=is_base64,
        stage="$default",
        stage_variables=None,
        api_id=url_id,
        account_id="anonymous",
        domain=f"{url_id}.lambda-url.{region}.on.aws",
        source_ip=source_ip,
        request_id=request_id or str(uuid.uuid4()),
        time=time,
        authorizer=authorizer,
        protocol="HTTP/1.1",
    )


# -- SQS --------------------------------------------------------------------------------------


def md5_of_message_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The MD5 SQS computes over message attributes (``md5OfMessageAttributes``).

    ``attributes`` use the SendMessage shape: ``{"name": {"DataType": ..., "StringValue": ...}}``.
    """
    if not attributes:
        return None
    md5 = hashlib.md5()  # noqa: S324 - SQS's own checksum, not security

    def put(data: bytes) -> None:
        md5.update(len(data).to_bytes(4, "big"))
        md5.update(data)

    for name in sorted(attributes):
        value = attributes[name]
        put(name.encode("utf-8"))
        put(str(value["DataType"]).encode("utf-8"))
        if "StringValue" in value and value["StringValue"] is not None:
            md5.update(b"\x01")
            put(str(value["StringValue"]).encode("utf-8"))
        elif "BinaryValue" in value and value["BinaryValue"] is not None:
            md5.update(b"\x02")
            raw = value["BinaryValue"]
            put(raw if isinstance(raw, bytes) else base64.b64decode(raw))
    return md5.hexdigest()


def _lambda_message_attributes(attributes: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """SendMessage-shaped attributes as the SQS event shows them (camelCase keys)."""
    shown: dict[str, Any] = {}
    for name, value in (attributes or {}).items():
        data_type = value.get("DataType") or value.get("dataType") or "String"
        entry: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": data_type,
        }
        string_value = value.get("StringValue", value.get("stringValue"))
        binary_value = value.get("BinaryValue", value.get("binaryValue"))
        if string_value is not None:
            entry["stringValue"] = str(string_value)
        if binary_value is not None:
            entry["binaryValue"] = (
                base64.b64encode(binary_value).decode("ascii") if isinstance(binary_value, bytes) else binary_value
            )
        shown[name] = entry
    return shown


def sqs_record(
    body: str | Mapping[str, Any] | list[Any],
    *,
    queue_arn: str | None = None,
    message_id: str | None = None,
    receipt_handle: str | None = None,
    message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
    receive_count: int = 1,
    sent: dt.datetime | float | None = None,
    first_received: dt.datetime | float | None = None,
    sender_id: str = PRINCIPAL_ID,
    group_id: str | None = None,
    deduplication_id: str | None = None,
    sequence_number: str | None = None,
    trace_header: str | None = None,
) -> dict[str, Any]:
    """One SQS record. ``message_attributes`` use SendMessage's shape (``DataType``/``StringValue``)."""
    text = body if isinstance(body, str) else json.dumps(body)
    queue_arn = queue_arn or f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:my-queue"
    sent_epoch = _epoch(sent)
    attributes: dict[str, str] = {
        "ApproximateReceiveCount": str(receive_count),
        "SentTimestamp": str(int(sent_epoch * 1000)),
        "SenderId": sender_id,
        "ApproximateFirstReceiveTimestamp": str(int(_epoch(first_received) * 1000) if first_received else int(sent_epoch * 1000) + 1),
    }
    if queue_arn.endswith(".fifo"):
        attributes["SequenceNumber"] = sequence_number or str(18_000_000_000_000_000_000 + next_sequence())
        attributes["MessageGroupId"] = group_id or "default"
        attributes["MessageDeduplicationId"] = deduplication_id or hashlib.sha256(text.encode()).hexdigest()
    if trace_header:
        attributes["AWSTraceHeader"] = trace_header
    record: dict[str, Any] = {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": receipt_handle or base64.b64encode(secrets.token_bytes(96)).decode("ascii"),
        "body": text,
        "attributes": attributes,
        "messageAttributes": _lambda_message_attributes(message_attributes),
        "md5OfBody": hashlib.md5(text.encode("utf-8")).hexdigest(),  # noqa: S324
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }
    md5_attributes = md5_of_message_attributes(message_attributes or {})
    if md5_attributes:
        record["md5OfMessageAttributes"] = md5_attributes
    return record


def sqs(*bodies: str | Mapping[str, Any], queue_arn: str | None = None, **record_options: Any) -> dict[str, Any]:
    """An SQS batch event: one record per body (``events.sqs("a", "b")``).

    Pass ready records from :func:`sqs_record` as dicts with a ``messageId`` to mix options.
    """
    records = []
    for body in bodies or ("Hello from SQS!",):
        if isinstance(body, Mapping) and "messageId" in body and "eventSource" in body:
            records.append(dict(body))
        else:
            records.append(sqs_record(body, queue_arn=queue_arn, **record_options))
    return {"Records": records}


# -- SNS --------------------------------------------------------------------------------------


def sns_message_attributes(attributes: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """Publish-shaped attributes (``DataType``/``StringValue``/``BinaryValue``) as SNS shows them."""
    shown: dict[str, dict[str, str]] = {}
    for name, value in (attributes or {}).items():
        if "Type" in value and "Value" in value:  # already SNS-shaped (moto stores this form)
            shown[name] = {"Type": str(value["Type"]), "Value": str(value["Value"])}
            continue
        data_type = value.get("DataType", "String")
        if "BinaryValue" in value:
            raw = value["BinaryValue"]
            shown[name] = {"Type": data_type, "Value": base64.b64encode(raw).decode("ascii") if isinstance(raw, bytes) else raw}
        else:
            shown[name] = {"Type": data_type, "Value": str(value.get("StringValue", ""))}
    return shown


def sns_record(
    message: str | Mapping[str, Any] | list[Any],
    *,
    topic_arn: str | None = None,
    subject: str | None = None,
    message_attributes: Mapping[str, Any] | None = None,
    message_id: str | None = None,
    time: dt.datetime | float | None = None,
    subscription_arn: str | None = None,
) -> dict[str, Any]:
    """One SNS record as Lambda receives it (note ``SigningCertUrl``/``UnsubscribeUrl`` casing)."""
    text = message if isinstance(message, str) else json.dumps(message)
    topic_arn = topic_arn or f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:my-topic"
    region = topic_arn.split(":")[3]
    message_id = message_id or str(uuid.uuid4())
    timestamp = iso_millis(time)
    subscription_arn = subscription_arn or f"{topic_arn}:{uuid.uuid4()}"
    # Not a real signature (nobody holds AWS's key); well-formed so parsers accept it.
    to_sign = f"Message\n{text}\nMessageId\n{message_id}\nTimestamp\n{timestamp}\nTopicArn\n{topic_arn}\nType\nNotification\n"
    signature = base64.b64encode(hashlib.sha512(to_sign.encode("utf-8")).digest() * 4).decode("ascii")
    return {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": topic_arn,
            "Subject": subject,
            "Message": text,
            "Timestamp": timestamp,
            "SignatureVersion": "1",
            "Signature": signature,
            "SigningCertUrl": f"https://sns.{region}.amazonaws.com/SimpleNotificationService-{secrets.token_hex(16)}.pem",
            "UnsubscribeUrl": f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription_arn}",
            "MessageAttributes": sns_message_attributes(message_attributes),
        },
    }


def sns(message: str | Mapping[str, Any] | list[Any] = "Hello from SNS!", **options: Any) -> dict[str, Any]:
    """An SNS event (always one record)."""
    return {"Records": [sns_record(message, **options)]}


# -- S3 ---------------------------------------------------------------------------------------


def s3_key_for_event(key: str) -> str:
    """Encode an object key as S3 event notifications do: form-encoded, ``/`` kept."""
    return quote_plus(key, safe="/")


def s3_sequencer() -> str:
    """A hex sequencer that grows with every event (compare equal-length values as strings)."""
    return f"{int(_course_time() * 1000):012X}{next_sequence() % 0xFFFFFF:06X}"


def s3_record(
    bucket: str,
    key: str,
    *,
    event_name: str = "ObjectCreated:Put",
    size: int | None = 1024,
    etag: str | None = None,
    version_id: str | None = None,
    sequencer: str | None = None,
    time: dt.datetime | float | None = None,
    configuration_id: str = "course-notification",
    region: str = REGION,
    source_ip: str = "127.0.0.1",
    principal_id: str = f"AWS:{PRINCIPAL_ID}",
    owner_id: str = "A3NL1KOZZKExample",
    request_id: str | None = None,
) -> dict[str, Any]:
    """One S3 notification record. ``key`` is the real key; it is encoded as S3 encodes it."""
    event_name = event_name[3:] if event_name.startswith("s3:") else event_name
    obj: dict[str, Any] = {"key": s3_key_for_event(key)}
    if not event_name.startswith("ObjectRemoved"):
        obj["size"] = int(size or 0)
        obj["eTag"] = etag or hashlib.md5(key.encode()).hexdigest()  # noqa: S324
    if version_id is not None and version_id != "null":
        obj["versionId"] = version_id
    obj["sequencer"] = sequencer or s3_sequencer()
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": iso_millis(time),
        "eventName": event_name,
        "userIdentity": {"principalId": principal_id},
        "requestParameters": {"sourceIPAddress": source_ip},
        "responseElements": {
            "x-amz-request-id": request_id or secrets.token_hex(8).upper(),
            "x-amz-id-2": base64.b64encode(secrets.token_bytes(56)).decode("ascii"),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": owner_id},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        },
    }


def s3(bucket: str = "example-bucket", key: str = "test/key", **options: Any) -> dict[str, Any]:
    """An S3 notification event (one record); ``event_name="ObjectRemoved:Delete"`` for deletes."""
    return {"Records": [s3_record(bucket, key, **options)]}


# -- DynamoDB Streams and Kinesis -------------------------------------------------------------


def to_attribute_values(item: Mapping[str, Any]) -> dict[str, Any]:
    """Plain Python values to DynamoDB's typed JSON (``{"S": "x"}``, ``{"N": "1"}``).

    Values already in typed form (a one-key dict like ``{"S": "x"}``) are kept.
    """
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    typed_keys = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}

    def convert(value: Any) -> Any:
        if isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in typed_keys:
            return dict(value)
        if isinstance(value, float):
            value = decimal.Decimal(str(value))
        elif isinstance(value, Mapping):
            return {"M": {k: convert(v) for k, v in value.items()}}
        elif isinstance(value, list):
            return {"L": [convert(v) for v in value]}
        typed = serializer.serialize(value)
        if "B" in typed:
            typed = {"B": base64.b64encode(bytes(typed["B"])).decode("ascii")}
        return typed

    return {name: convert(value) for name, value in item.items()}


def dynamodb_stream_record(
    event_name: str = "INSERT",
    *,
    keys: Mapping[str, Any],
    new_image: Mapping[str, Any] | None = None,
    old_image: Mapping[str, Any] | None = None,
    table: str = "my-table",
    stream_label: str | None = None,
    view_type: str = "NEW_AND_OLD_IMAGES",
    time: dt.datetime | float | None = None,
    sequence_number: str | None = None,
    account_id: str = ACCOUNT_ID,
    region: str = REGION,
) -> dict[str, Any]:
    """One DynamoDB Streams record. Images and keys may be plain Python values."""
    data: dict[str, Any] = {
        "Keys": to_attribute_values(keys),
        "ApproximateCreationDateTime": float(int(_epoch(time))),
        "SequenceNumber": sequence_number or str(10**20 + next_sequence()),
        "StreamViewType": view_type,
    }
    if new_image is not None and view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        data["NewImage"] = to_attribute_values(new_image)
    if old_image is not None and view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        data["OldImage"] = to_attribute_values(old_image)
    data["SizeBytes"] = len(json.dumps({k: v for k, v in data.items() if k in ("Keys", "NewImage", "OldImage")}))
    label = stream_label or _utc(_epoch(None)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return {
        "eventID": uuid.uuid4().hex,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": data,
        "eventSourceARN": f"arn:aws:dynamodb:{region}:{account_id}:table/{table}/stream/{label}",
    }


def dynamodb_stream(*records: Mapping[str, Any], **record_options: Any) -> dict[str, Any]:
    """A DynamoDB Streams event. ``events.dynamodb_stream(keys={"pk": "a"}, new_image={...})``
    builds one record; pass ready records from :func:`dynamodb_stream_record` for several."""
    if records:
        return {"Records": [dict(r) for r in records]}
    record_options.setdefault("keys", {"Id": 101})
    record_options.setdefault("new_image", {**record_options["keys"], "Message": "New item!"})
    return {"Records": [dynamodb_stream_record(**record_options)]}


def kinesis_record(
    data: bytes | str | Mapping[str, Any],
    *,
    partition_key: str = "partition-1",
    stream: str = "my-stream",
    shard_id: str = "shardId-000000000000",
    sequence_number: str | None = None,
    time: dt.datetime | float | None = None,
    role_arn: str | None = None,
    account_id: str = ACCOUNT_ID,
    region: str = REGION,
) -> dict[str, Any]:
    """One Kinesis record; ``data`` is base64-encoded for you (dicts as JSON)."""
    raw = json.dumps(data).encode() if isinstance(data, Mapping) else data.encode() if isinstance(data, str) else data
    sequence = sequence_number or str(49_500_000_000_000_000_000_000_000_000_000_000_000_000_000_000 + next_sequence())
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence,
            "data": base64.b64encode(raw).decode("ascii"),
            "approximateArrivalTimestamp": round(_epoch(time), 3),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role_arn or f"arn:aws:iam::{account_id}:role/lambda-role",
        "awsRegion": region,
        "eventSourceARN": f"arn:aws:kinesis:{region}:{account_id}:stream/{stream}",
    }


def kinesis(*data: bytes | str | Mapping[str, Any], **record_options: Any) -> dict[str, Any]:
    """A Kinesis event: one record per data item."""
    return {"Records": [kinesis_record(d, **record_options) for d in (data or ("Hello, this is a test.",))]}


# -- EventBridge and CloudWatch Logs ----------------------------------------------------------


def eventbridge(
    detail_type: str = "Order Placed",
    source: str = "com.example.orders",
    detail: Mapping[str, Any] | None = None,
    *,
    resources: Sequence[str] = (),
    time: dt.datetime | float | None = None,
    event_id: str | None = None,
    account_id: str = ACCOUNT_ID,
    region: str = REGION,
) -> dict[str, Any]:
    """An EventBridge event as a rule's target receives it."""
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account_id,
        "time": iso_seconds(time),
        "region": region,
        "resources": list(resources),
        "detail": dict(detail or {}),
    }


def eventbridge_scheduled(
    rule: str = "my-schedule",
    *,
    time: dt.datetime | float | None = None,
    event_id: str | None = None,
    account_id: str = ACCOUNT_ID,
    region: str = REGION,
) -> dict[str, Any]:
    """The event a scheduled rule sends (``rule`` is its name or ARN); ``time`` is the
    scheduled time, not the delivery time."""
    arn = rule if rule.startswith("arn:") else f"arn:aws:events:{region}:{account_id}:rule/{rule}"
    return eventbridge(
        "Scheduled Event",
        "aws.events",
        {},
        resources=[arn],
        time=time,
        event_id=event_id,
        account_id=account_id,
        region=region,
    )


def cloudwatch_logs(
    messages: Sequence[str] = ("[INFO] hello",),
    *,
    log_group: str = "/aws/lambda/my-function",
    log_stream: str = "2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
    filter_name: str = "my-filter",
    time: dt.datetime | float | None = None,
    account_id: str = ACCOUNT_ID,
) -> dict[str, Any]:
    """A CloudWatch Logs subscription event: ``{"awslogs": {"data": base64(gzip(json))}}``."""
    stamp = int(_epoch(time) * 1000)
    payload = {
        "messageType": "DATA_MESSAGE",
        "owner": account_id,
        "logGroup": log_group,
        "logStream": log_stream,
        "subscriptionFilters": [filter_name],
        "logEvents": [
            {"id": str(10**55 + next_sequence()), "timestamp": stamp, "message": message} for message in messages
        ],
    }
    data = gzip.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    return {"awslogs": {"data": base64.b64encode(data).decode("ascii")}}


def decode_cloudwatch_logs(event: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON inside a CloudWatch Logs subscription event."""
    return json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))


__all__ = [
    "api_gateway_http",
    "api_gateway_rest",
    "cloudwatch_logs",
    "decode_cloudwatch_logs",
    "dynamodb_stream",
    "dynamodb_stream_record",
    "eventbridge",
    "eventbridge_scheduled",
    "function_url",
    "kinesis",
    "kinesis_record",
    "md5_of_message_attributes",
    "s3",
    "s3_key_for_event",
    "s3_record",
    "sns",
    "sns_record",
    "sqs",
    "sqs_record",
    "to_attribute_values",
]
