"""The RDS Data API answering real SQL: each Aurora cluster gets an embedded SQLite database.

    from course_lib import data_api
    data_api.install()                       # idempotent; chapter 11's setup does it
    rds_data = aws.client("rds-data")
    rds_data.execute_statement(resourceArn=cluster_arn, secretArn=secret_arn, database="shop",
                               sql="SELECT id, total FROM orders WHERE total > :min",
                               parameters=[{"name": "min", "value": {"longValue": 10}}])
    # {'records': [[{'longValue': 1}, {'doubleValue': 12.5}]], 'numberOfRecordsUpdated': 0, ...}

What it emulates. moto's ``execute_statement`` runs no SQL (it returns ``{'records': []}``) and
the transaction calls answer 404. Here ``execute_statement``, ``batch_execute_statement``,
``begin_transaction``, ``commit_transaction`` and ``rollback_transaction`` work as on AWS:

* the cluster must exist (``resourceArn``) and the secret must exist in Secrets Manager
  (``secretArn``), else ``BadRequestException``;
* every (cluster, ``database``) is one SQLite database file in a temporary folder, so data
  survive between calls and each transaction has its own connection: what a transaction
  writes is invisible to other calls until ``commit_transaction``, and gone after
  ``rollback_transaction`` (SQLite's WAL mode gives readers the last committed state);
* named parameters (``:name`` with ``longValue``, ``doubleValue``, ``stringValue``,
  ``booleanValue``, ``blobValue``, ``isNull``) are bound, never pasted into the SQL;
* results come back as AWS shapes them: ``records`` (one list of typed fields per row),
  ``numberOfRecordsUpdated``, ``columnMetadata`` with ``includeResultMetadata=True``, and
  ``formattedRecords`` (a JSON string) with ``formatRecordsAs="JSON"``; a SQL error is
  ``BadRequestException`` with the database's message.

Differs from AWS: the SQL dialect is SQLite's, not PostgreSQL's or MySQL's (standard
``CREATE TABLE``/``INSERT``/``SELECT``/``UPDATE``/``DELETE`` and joins work alike; types,
functions and ``RETURNING`` details differ); the cluster's ``EnableHttpEndpoint`` setting is not
checked (moto always reports it off); transactions do not time out; nothing is encrypted.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import Any

_installed = False
_lock = threading.Lock()
_root: Path | None = None
_transactions: dict[str, tuple[str, sqlite3.Connection]] = {}  # id -> (db key, connection)


class DataApiError(Exception):
    """Raised as ``BadRequestException`` (HTTP 400) to the caller."""


def _account() -> str:
    from course_lib.sandbox import ACCOUNT_ID

    return os.environ.get("MOTO_ACCOUNT_ID", ACCOUNT_ID)


def _cluster(resource_arn: str) -> Any:
    from moto.rds.models import rds_backends

    region = resource_arn.split(":")[3] if resource_arn.count(":") >= 5 else "us-east-1"
    return next((c for c in rds_backends[_account()][region].clusters.values() if c.db_cluster_arn == resource_arn), None)


def _database_file(resource_arn: str, database: str | None) -> Path:
    """One file per cluster *incarnation* and database: a cluster deleted (or a sandbox reset)
    and created again under the same name starts empty, as on AWS."""
    global _root
    if _root is None:
        _root = Path(tempfile.mkdtemp(prefix="course-aurora-"))
    cluster = _cluster(resource_arn)
    born = getattr(cluster, "created", None)
    stamp = born.strftime("%Y%m%d%H%M%S%f") if born is not None else "unknown"
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{_account()}-{resource_arn.rsplit(':', 1)[-1]}-{stamp}-{database or 'default'}")
    return _root / f"{name}.sqlite3"


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=2.0)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def _check_resources(resource_arn: str, secret_arn: str | None) -> None:
    region = resource_arn.split(":")[3] if resource_arn.count(":") >= 5 else "us-east-1"
    if _cluster(resource_arn) is None:
        raise DataApiError(f"Database cluster not found: {resource_arn}")
    if not secret_arn:
        raise DataApiError("secretArn is required: the Data API signs in with a Secrets Manager secret")
    from moto.secretsmanager.models import secretsmanager_backends

    store = secretsmanager_backends[_account()][region]
    if not any(secret_arn in (s.arn, name) for name, s in store.secrets.items()):
        raise DataApiError(f"Secret not found: {secret_arn}")


def _bind(parameters: list[dict[str, Any]] | None) -> dict[str, Any]:
    bound = {}
    for parameter in parameters or []:
        value = parameter.get("value", {})
        if value.get("isNull"):
            bound[parameter["name"]] = None
        elif "longValue" in value:
            bound[parameter["name"]] = int(value["longValue"])
        elif "doubleValue" in value:
            bound[parameter["name"]] = float(value["doubleValue"])
        elif "booleanValue" in value:
            bound[parameter["name"]] = 1 if value["booleanValue"] else 0
        elif "blobValue" in value:
            blob = value["blobValue"]
            bound[parameter["name"]] = base64.b64decode(blob) if isinstance(blob, str) else bytes(blob)
        else:
            bound[parameter["name"]] = value.get("stringValue")
    return bound


def _field(value: Any) -> dict[str, Any]:
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, bytes):
        return {"blobValue": base64.b64encode(value).decode()}
    return {"stringValue": str(value)}


def _run(connection: sqlite3.Connection, sql: str, parameters: dict[str, Any]) -> tuple[list[str], list[tuple[Any, ...]], int]:
    try:
        cursor = connection.execute(sql, parameters)
        rows = cursor.fetchall()
    except sqlite3.Error as err:
        raise DataApiError(f"ERROR: {err}") from err
    columns = [d[0] for d in cursor.description or []]
    updated = cursor.rowcount if cursor.rowcount > 0 and not columns else 0
    return columns, rows, updated


def execute_statement(params: dict[str, Any]) -> dict[str, Any]:
    """The ``ExecuteStatement`` operation on request parameters (boto3 names)."""
    _check_resources(params["resourceArn"], params.get("secretArn"))
    path = _database_file(params["resourceArn"], params.get("database"))
    transaction_id = params.get("transactionId")
    if transaction_id:
        if transaction_id not in _transactions:
            raise DataApiError(f"Transaction {transaction_id} is not found")
        connection = _transactions[transaction_id][1]
        columns, rows, updated = _run(connection, params["sql"], _bind(params.get("parameters")))
    else:
        connection = _connect(path)
        try:
            columns, rows, updated = _run(connection, params["sql"], _bind(params.get("parameters")))
        finally:
            connection.close()
    result: dict[str, Any] = {"numberOfRecordsUpdated": updated, "generatedFields": []}
    if params.get("formatRecordsAs") == "JSON":
        result["formattedRecords"] = json.dumps([dict(zip(columns, row)) for row in rows], default=str)
    else:
        result["records"] = [[_field(v) for v in row] for row in rows]
    if params.get("includeResultMetadata"):
        result["columnMetadata"] = [{"name": c, "label": c} for c in columns]
    return result


def batch_execute_statement(params: dict[str, Any]) -> dict[str, Any]:
    """``BatchExecuteStatement``: one SQL statement, once per parameter set, atomically."""
    _check_resources(params["resourceArn"], params.get("secretArn"))
    transaction_id = params.get("transactionId")
    owned = transaction_id is None
    if owned:
        transaction_id = begin_transaction(params)["transactionId"]
    results = []
    try:
        for parameter_set in params.get("parameterSets") or [[]]:
            single = dict(params, parameters=parameter_set, transactionId=transaction_id)
            single.pop("parameterSets", None)
            outcome = execute_statement(single)
            results.append({"generatedFields": outcome.get("generatedFields", [])})
    except DataApiError:
        if owned:
            rollback_transaction({"transactionId": transaction_id})
        raise
    if owned:
        commit_transaction({"transactionId": transaction_id})
    return {"updateResults": results}


def begin_transaction(params: dict[str, Any]) -> dict[str, Any]:
    _check_resources(params["resourceArn"], params.get("secretArn"))
    path = _database_file(params["resourceArn"], params.get("database"))
    connection = _connect(path)
    connection.execute("BEGIN")
    transaction_id = base64.b64encode(secrets.token_bytes(48)).decode()
    _transactions[transaction_id] = (str(path), connection)
    return {"transactionId": transaction_id}


def _finish(params: dict[str, Any], verb: str) -> dict[str, Any]:
    transaction_id = params.get("transactionId", "")
    found = _transactions.pop(transaction_id, None)
    if found is None:
        raise DataApiError(f"Transaction {transaction_id} is not found")
    connection = found[1]
    try:
        connection.execute(verb)
    except sqlite3.Error as err:
        raise DataApiError(f"ERROR: {err}") from err
    finally:
        connection.close()
    return {"transactionStatus": "Transaction Committed" if verb == "COMMIT" else "Rollback Complete"}


def commit_transaction(params: dict[str, Any]) -> dict[str, Any]:
    return _finish(params, "COMMIT")


def rollback_transaction(params: dict[str, Any]) -> dict[str, Any]:
    return _finish(params, "ROLLBACK")


def reset() -> None:
    """Drop every database and open transaction (a fresh account)."""
    global _root
    for _, connection in list(_transactions.values()):
        connection.close()
    _transactions.clear()
    if _root is not None:
        for file in _root.glob("*"):
            file.unlink(missing_ok=True)


_OPERATIONS = {
    "execute_statement": ("Execute", execute_statement),
    "batch_execute_statement": ("BatchExecute", batch_execute_statement),
    "begin_transaction": ("BeginTransaction", begin_transaction),
    "commit_transaction": ("CommitTransaction", commit_transaction),
    "rollback_transaction": ("RollbackTransaction", rollback_transaction),
}


def install() -> None:
    """Route the Data API's operations to SQLite (idempotent)."""
    global _installed
    from course_lib import wiring

    wiring.keep_after_reset("data_api", reset)  # the databases belong to the old account
    with _lock:
        if _installed:
            return
        from moto.core.exceptions import JsonRESTError
        from moto.rdsdata import responses, urls

        class BadRequestException(JsonRESTError):
            code = 400

            def __init__(self, message: str) -> None:
                super().__init__("BadRequestException", message)

        def make(operation: Any) -> Any:
            def method(self: Any) -> str:
                params = json.loads(self.body or "{}")
                try:
                    return json.dumps(operation(params))
                except DataApiError as err:
                    raise BadRequestException(str(err)) from err

            return method

        for name, (path, operation) in _OPERATIONS.items():
            setattr(responses.RDSDataServiceResponse, name, make(operation))
            urls.url_paths["{0}/" + path + "$"] = urls.response.dispatch
        _installed = True
