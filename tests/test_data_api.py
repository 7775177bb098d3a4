"""data_api: the RDS Data API runs real SQL in SQLite, with parameters and transactions."""

from __future__ import annotations

import json

import pytest

from course_lib import data_api


@pytest.fixture
def db(aws):
    data_api.install()
    data_api.reset()
    arn = aws.client("rds").create_db_cluster(
        DBClusterIdentifier="test-db", Engine="aurora-postgresql", MasterUsername="admin", MasterUserPassword="x" * 12,
        ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 4})["DBCluster"]["DBClusterArn"]
    secret = aws.client("secretsmanager").create_secret(Name="test-db", SecretString="{}")["ARN"]
    client = aws.client("rds-data")

    def run(sql, **kwargs):
        return client.execute_statement(resourceArn=arn, secretArn=secret, database="app", sql=sql, **kwargs)

    run("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)")
    yield client, arn, secret, run
    data_api.reset()


def test_parameters_types_and_results(db):
    client, arn, secret, run = db
    inserted = run("INSERT INTO t (name, score, data) VALUES (:n, :s, :d)", parameters=[
        {"name": "n", "value": {"stringValue": "ada"}}, {"name": "s", "value": {"doubleValue": 1.5}},
        {"name": "d", "value": {"blobValue": b"\x00\x01"}}])
    assert inserted["numberOfRecordsUpdated"] == 1
    run("INSERT INTO t (name, score) VALUES (:n, :s)", parameters=[
        {"name": "n", "value": {"isNull": True}}, {"name": "s", "value": {"longValue": 2}}])
    result = run("SELECT id, name, score FROM t ORDER BY id", includeResultMetadata=True)
    assert result["records"] == [[{"longValue": 1}, {"stringValue": "ada"}, {"doubleValue": 1.5}],
                                 [{"longValue": 2}, {"isNull": True}, {"doubleValue": 2.0}]]
    assert [c["name"] for c in result["columnMetadata"]] == ["id", "name", "score"]
    assert json.loads(run("SELECT name FROM t WHERE id = 1", formatRecordsAs="JSON")["formattedRecords"]) == [{"name": "ada"}]


def test_injection_is_impossible_with_parameters(db):
    _, _, _, run = db
    run("INSERT INTO t (name) VALUES (:n)", parameters=[{"name": "n", "value": {"stringValue": "x'); DROP TABLE t; --"}}])
    assert run("SELECT name FROM t")["records"] == [[{"stringValue": "x'); DROP TABLE t; --"}]]


def test_transactions_isolate_commit_and_roll_back(db):
    client, arn, secret, run = db
    count = lambda **k: run("SELECT count(*) FROM t", **k)["records"][0][0]["longValue"]  # noqa: E731
    tx = client.begin_transaction(resourceArn=arn, secretArn=secret, database="app")["transactionId"]
    run("INSERT INTO t (name) VALUES ('a')", transactionId=tx)
    assert count(transactionId=tx) == 1 and count() == 0
    assert client.rollback_transaction(resourceArn=arn, secretArn=secret, transactionId=tx)["transactionStatus"] == "Rollback Complete"
    assert count() == 0
    tx = client.begin_transaction(resourceArn=arn, secretArn=secret, database="app")["transactionId"]
    run("INSERT INTO t (name) VALUES ('b')", transactionId=tx)
    assert client.commit_transaction(resourceArn=arn, secretArn=secret, transactionId=tx)["transactionStatus"] == "Transaction Committed"
    assert count() == 1
    with pytest.raises(client.exceptions.BadRequestException, match="not found"):
        client.commit_transaction(resourceArn=arn, secretArn=secret, transactionId=tx)


def test_batch_is_atomic(db):
    client, arn, secret, run = db
    run("CREATE TABLE u (name TEXT UNIQUE)")
    sets = [[{"name": "n", "value": {"stringValue": v}}] for v in ("a", "b", "a")]
    with pytest.raises(client.exceptions.BadRequestException, match="UNIQUE"):
        client.batch_execute_statement(resourceArn=arn, secretArn=secret, database="app",
                                       sql="INSERT INTO u VALUES (:n)", parameterSets=sets)
    assert run("SELECT count(*) FROM u")["records"] == [[{"longValue": 0}]]
    ok = client.batch_execute_statement(resourceArn=arn, secretArn=secret, database="app",
                                        sql="INSERT INTO u VALUES (:n)", parameterSets=sets[:2])
    assert len(ok["updateResults"]) == 2 and run("SELECT count(*) FROM u")["records"] == [[{"longValue": 2}]]


def test_unknown_cluster_secret_and_bad_sql_are_bad_requests(db):
    client, arn, secret, run = db
    with pytest.raises(client.exceptions.BadRequestException, match="no such table"):
        run("SELECT * FROM missing")
    with pytest.raises(client.exceptions.BadRequestException, match="cluster not found"):
        client.execute_statement(resourceArn=arn + "x", secretArn=secret, sql="SELECT 1")
    with pytest.raises(client.exceptions.BadRequestException, match="Secret not found"):
        client.execute_statement(resourceArn=arn, secretArn=secret + "x", sql="SELECT 1")


def test_a_recreated_cluster_starts_empty(db, aws):
    client, arn, secret, run = db
    run("INSERT INTO t (name) VALUES ('kept?')")
    aws.reset()  # a clean account; the same cluster name created again
    data_api.install()
    arn2 = aws.client("rds").create_db_cluster(
        DBClusterIdentifier="test-db", Engine="aurora-postgresql", MasterUsername="admin",
        MasterUserPassword="x" * 12)["DBCluster"]["DBClusterArn"]
    secret2 = aws.client("secretsmanager").create_secret(Name="test-db", SecretString="{}")["ARN"]
    assert arn2 == arn
    with pytest.raises(client.exceptions.BadRequestException, match="no such table"):
        aws.client("rds-data").execute_statement(resourceArn=arn2, secretArn=secret2, database="app", sql="SELECT * FROM t")
