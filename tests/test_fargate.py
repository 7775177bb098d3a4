"""fargate: run_task runs the command locally, logs to CloudWatch, reports exit codes; sizes checked."""

from __future__ import annotations

import pytest

from course_lib import fargate

SCRIPT = "import os; print('hello', os.environ['WHO']); print('done')"


@pytest.fixture
def cluster(aws):
    fargate.install()
    ecs, ec2 = aws.client("ecs"), aws.client("ec2")
    subnet = ec2.create_subnet(VpcId=ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"], CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ecs.create_cluster(clusterName="jobs")

    def register(family="job", cpu="256", memory="512", command=("python", "-c", SCRIPT), group="/ecs/job", create=False):
        options = {"awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}
        if create:
            options["awslogs-create-group"] = "true"
        ecs.register_task_definition(
            family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu=cpu, memory=memory,
            containerDefinitions=[{"name": "main", "image": "python:3.13-slim", "command": list(command),
                                   "environment": [{"name": "WHO", "value": "world"}],
                                   "logConfiguration": {"logDriver": "awslogs", "options": options}}])

    def run(family="job", **kwargs):
        return ecs.run_task(cluster="jobs", taskDefinition=family, launchType="FARGATE",
                            networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}}, **kwargs)["tasks"][0]

    return ecs, aws.client("logs"), register, run


def test_the_command_runs_and_logs_reach_cloudwatch(cluster):
    ecs, logs, register, run = cluster
    logs.create_log_group(logGroupName="/ecs/job")
    register()
    task = run()
    assert task["lastStatus"] == "PROVISIONING"
    result = fargate.wait(task["taskArn"])
    assert result.output == ["hello world", "done"] and result.exit_code == 0 and result.billed_s == 60
    described = ecs.describe_tasks(cluster="jobs", tasks=[task["taskArn"]])["tasks"][0]
    assert (described["lastStatus"], described["containers"][0]["exitCode"], described["stopCode"]) == ("STOPPED", 0, "EssentialContainerExited")
    stream = f"ecs/main/{task['taskArn'].rsplit('/', 1)[1]}"
    assert [e["message"] for e in logs.get_log_events(logGroupName="/ecs/job", logStreamName=stream)["events"]] == ["hello world", "done"]


def test_exit_code_and_overrides(cluster):
    ecs, logs, register, run = cluster
    register(create=True)
    task = run(overrides={"containerOverrides": [{"name": "main", "command": ["python", "-c", "import sys; sys.exit(3)"]}]})
    fargate.wait(task["taskArn"])
    assert ecs.describe_tasks(cluster="jobs", tasks=[task["taskArn"]])["tasks"][0]["containers"][0]["exitCode"] == 3


def test_missing_log_group_stops_the_task(cluster):
    ecs, logs, register, run = cluster
    register(group="/ecs/nowhere")
    task = run()
    described = ecs.describe_tasks(cluster="jobs", tasks=[task["taskArn"]])["tasks"][0]
    assert described["lastStatus"] == "STOPPED" and "ResourceInitializationError" in described["stoppedReason"]


def test_invalid_size_and_missing_subnets_are_refused(cluster):
    ecs, logs, register, run = cluster
    register(family="big", cpu="256", memory="4096")
    with pytest.raises(ecs.exceptions.ClientException, match="No Fargate configuration"):
        run("big")
    register(family="ok")
    with pytest.raises(ecs.exceptions.InvalidParameterException):
        ecs.run_task(cluster="jobs", taskDefinition="ok", launchType="FARGATE")


def test_sizes_come_from_the_facts_file():
    assert fargate.valid_size(256, 512) and not fargate.valid_size(256, 4096)
    assert fargate.allowed_memory(2048)[0] == 4096 and fargate.allowed_memory(2048)[-1] == 16384
    assert fargate.allowed_memory(300) == []
