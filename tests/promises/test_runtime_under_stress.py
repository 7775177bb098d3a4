"""The local Lambda runtime under stress: the kernel stays usable whatever handlers do.

Thousands of invokes across threads and functions, mixed with handlers that raise, loop past
their timeout, print megabytes, or call sys.exit().
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from collections import Counter

from course_lib.runtime import deploy_function, invoke, quiet

FUNCTIONS = {
    "ok": ("import os\ndef handler(e, c):\n    return {'who': os.environ['WHO'], 'n': e['n']}\n", 3),
    "raises": ("def handler(e, c):\n    raise RuntimeError('bad ' + str(e['n']))\n", 3),
    "chatty": ("def handler(e, c):\n    print('x' * 1_000_000)\n    return len('x' * 1_000_000)\n", 3),
    "exits": ("import sys\ndef handler(e, c):\n    sys.exit(1)\n", 3),
    "spins": ("def handler(e, c):\n    while True:\n        pass\n", 1),
}


def test_thousands_of_mixed_invokes_leave_the_kernel_usable(aws):
    for name, (code, timeout) in FUNCTIONS.items():
        deploy_function(name, code, timeout_s=timeout, env={"WHO": name})
    outcomes: Counter[str] = Counter()
    wrong: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        client = aws.client("lambda")
        plan = ["ok"] * 240 + ["raises"] * 8 + ["chatty"] * 2 + ["exits"] * 2
        if index < 2:
            plan.append("spins")  # two timeouts, in parallel with everything else
        for n, name in enumerate(plan):
            response = client.invoke(FunctionName=name, Payload=json.dumps({"n": n}).encode())
            body = json.loads(response["Payload"].read())
            error = response.get("FunctionError")
            with lock:
                outcomes[(name, error, body.get("errorType") if isinstance(body, dict) else None)] += 1
                if name == "ok" and body != {"who": "ok", "n": n}:
                    wrong.append(repr(body))

    sink = io.StringIO()
    real_stdout = sys.stdout
    with quiet():
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert wrong == []
    assert outcomes[("ok", None, None)] == 8 * 240
    assert outcomes[("raises", "Unhandled", "RuntimeError")] == 8 * 8
    assert outcomes[("chatty", None, None)] == 8 * 2
    assert outcomes[("exits", "Unhandled", "Runtime.ExitError")] == 8 * 2
    assert outcomes[("spins", "Unhandled", "Sandbox.Timedout")] == 2
    # The kernel is still itself: its streams, its environment, and new invocations.
    assert sys.stdout is real_stdout or getattr(sys.stdout, "_inner", None) is not None
    assert "WHO" not in os.environ
    print("still printing", file=sink)
    assert sink.getvalue() == "still printing\n"
    assert invoke("ok", {"n": 1}).payload == {"who": "ok", "n": 1}
