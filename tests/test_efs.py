"""efs: FileSystemConfigs stored and validated; two functions share files at their mount path."""

from __future__ import annotations

import os

import pytest

from course_lib import efs
from course_lib.runtime import deploy_function, invoke

WRITER = '''
from pathlib import Path
def handler(event, context):
    Path("/mnt/data", event["name"]).write_text(event["text"])
    return sorted(p.name for p in Path("/mnt/data").iterdir())
'''
READER = '''
import os
def handler(event, context):
    with open("/mnt/data/" + event["name"]) as f:
        text = f.read()
    os.remove("/mnt/data/" + event["name"])
    return text
'''


@pytest.fixture
def mounted(aws):
    efs.install()
    client, lam = aws.client("efs"), aws.client("lambda")
    fs = client.create_file_system(CreationToken="t")["FileSystemId"]
    ap = client.create_access_point(FileSystemId=fs, RootDirectory={"Path": "/app"})["AccessPointArn"]
    for name, code in (("writer", WRITER), ("reader", READER)):
        deploy_function(name, code)
        lam.update_function_configuration(FunctionName=name, FileSystemConfigs=[{"Arn": ap, "LocalMountPath": "/mnt/data"}])
    return fs, ap, lam


def test_functions_share_files_through_the_mount(mounted):
    fs, _, lam = mounted
    assert invoke("writer", {"name": "a.txt", "text": "hi"}).payload == ["a.txt"]
    assert (efs.local_path(fs) / "app" / "a.txt").read_text() == "hi"
    assert invoke("reader", {"name": "a.txt"}).payload == "hi"
    assert not (efs.local_path(fs) / "app" / "a.txt").exists()
    assert lam.get_function_configuration(FunctionName="reader")["FileSystemConfigs"][0]["LocalMountPath"] == "/mnt/data"


def test_outside_a_handler_nothing_is_translated(mounted):
    assert efs.translate("/mnt/data/x") == "/mnt/data/x"
    assert not os.path.exists("/mnt/data/a.txt")


def test_a_function_without_the_mount_does_not_see_it(mounted):
    deploy_function("stranger", "import os\ndef handler(e, c):\n    return os.path.exists('/mnt/data')\n")
    invoke("writer", {"name": "b.txt", "text": "x"})
    assert invoke("stranger").payload is False


def test_mount_path_and_access_point_are_validated(mounted):
    _, ap, lam = mounted
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="/mnt/"):
        lam.update_function_configuration(FunctionName="reader", FileSystemConfigs=[{"Arn": ap, "LocalMountPath": "/data"}])
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="not found"):
        lam.update_function_configuration(FunctionName="reader", FileSystemConfigs=[{"Arn": ap + "x", "LocalMountPath": "/mnt/x"}])
