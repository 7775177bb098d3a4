"""Run strict nbval over every notebook as a learner with real credentials and no network.

The learner's setup is made hostile on purpose: real-looking keys in the environment, a
profile and an ``AWS_ENDPOINT_URL`` pointing at AWS, and a temporary HOME whose
``~/.aws/credentials`` and ``~/.aws/config`` hold real-looking keys. The network is cut to
loopback: in a new network namespace (``unshare --net``, with ``lo`` up) when that is
permitted, else with a socket guard loaded into every Python process (kernels included) that
fails any non-loopback connect. Every notebook must still pass.

    python tests/notebooks/run_isolated.py [pytest args...]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUARD_DIR = Path(__file__).resolve().parent / "netguard"

REAL_LOOKING = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_PROFILE": "production",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL": "https://dynamodb.eu-west-1.amazonaws.com",
}


def hostile_home(base: Path) -> Path:
    home = base / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAREALDEFAULTKEY00\naws_secret_access_key = realsecret0\n"
        "[production]\naws_access_key_id = AKIAREALPRODKEY00000\naws_secret_access_key = realsecret1\n"
    )
    (home / ".aws" / "config").write_text("[default]\nregion = ap-southeast-2\n[profile production]\nregion = eu-west-1\n")
    return home


def can_unshare() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(["unshare", "--net", "ip", "link", "set", "lo", "up"], capture_output=True)
    return probe.returncode == 0


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="course-nbval-") as tmp:
        base = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(REAL_LOOKING)
        env["HOME"] = str(hostile_home(base))
        env["COURSE_HOME"] = str(base / "course-home")
        env["COURSE_LEARNER_ID"] = "ci-learner"
        env.pop("COURSE_ENDPOINT_URL", None)  # every notebook runs the in-process sandbox here
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        # The socket guard is always loaded; the namespace, when available, is a second wall.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD_DIR), env.get("PYTHONPATH", "")]))
        env["COURSE_NETGUARD"] = "1"
        pytest = [
            sys.executable, "-m", "pytest", "-q", "--nbval", "notebooks",
            "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", *argv,
        ]
        if can_unshare():
            print("network: new namespace with loopback only (unshare --net)", flush=True)
            command = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *pytest]
        else:
            print("network: socket guard only (unshare not permitted here)", flush=True)
            command = pytest
        return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
