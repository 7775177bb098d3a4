"""The capstone's written spec: a small orders service, as data the notebook renders and the checker follows.

Every requirement has an id (the checker reports item by item under the same ids), a title and
the text a learner reads. Names are fixed by the spec so the checker can find what was built;
anything else (code layout, helper functions, batch sizes) is the learner's choice.
"""

from __future__ import annotations

from dataclasses import dataclass

POOL = "capstone-users"
APP_CLIENT = "capstone-web"
TABLE = "capstone-orders"
KEY = "orderId"
QUEUE = "capstone-orders-queue"
DLQ = "capstone-orders-dlq"
MAX_RECEIVE_COUNT = 5
API = "capstone-api"
STAGE = "prod"
API_FUNCTION = "capstone-api"
WORKER_FUNCTION = "capstone-worker"
REPORT_FUNCTION = "capstone-report"
RULE = "capstone-daily-report"
REPORT_PREFIX = "report#"
FUNCTIONS = (API_FUNCTION, WORKER_FUNCTION, REPORT_FUNCTION)


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    text: str


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "auth",
        "Sign-in with Cognito",
        f"A Cognito user pool named `{POOL}` with an app client `{APP_CLIENT}` that allows "
        "`ALLOW_USER_PASSWORD_AUTH`, so a user can sign in with a username and password.",
    ),
    Requirement(
        "table",
        "An orders table",
        f"A DynamoDB table `{TABLE}` with partition key `{KEY}` (a string) and no sort key, "
        "billed on demand (`PAY_PER_REQUEST`).",
    ),
    Requirement(
        "queue",
        "A queue with a dead-letter queue",
        f"An SQS standard queue `{QUEUE}` whose redrive policy sends a message to `{DLQ}` after at "
        f"most {MAX_RECEIVE_COUNT} receives, and whose visibility timeout is at least the worker "
        "function's timeout (AWS refuses the event source mapping otherwise).",
    ),
    Requirement(
        "api-routes",
        "The API's routes",
        f"A REST API `{API}` deployed to stage `{STAGE}` with `POST /orders` and "
        f"`GET /orders/{{{KEY}}}`, both Lambda proxy integrations of function `{API_FUNCTION}`, "
        "whose resource policy lets API Gateway invoke it.",
    ),
    Requirement(
        "api-auth",
        "Only signed-in users",
        f"Both methods use a Cognito user pool authorizer on `{POOL}` (the `Authorization` header "
        "carries the ID token). A request without a valid token gets `401`.",
    ),
    Requirement(
        "create-order",
        "Create an order",
        'A signed-in user `POST`s `{"item": "book", "quantity": 2}` and gets `201` with a JSON '
        f"body holding the new `{KEY}`. The table then holds the order with the caller's username "
        "in `owner` (from the token's `cognito:username` claim, never from the body), the `item`, "
        "the `quantity` and a `status`.",
    ),
    Requirement(
        "validate-input",
        "Bad input gets a clear 400",
        "A body that is not JSON, lacks `item`, or has a `quantity` that is not a whole number "
        "from 1 to 100 gets `400` with a JSON `message` saying what is wrong, and nothing is "
        "written to the table or the queue.",
    ),
    Requirement(
        "read-order",
        "Read your own order",
        f"`GET /orders/{{{KEY}}}` returns `200` and the order to its owner. An unknown id, or "
        "another user's order, gets `404` (do not reveal that someone else's order exists).",
    ),
    Requirement(
        "worker",
        "Orders are confirmed through the queue",
        f"Creating an order sends a message with its `{KEY}` to `{QUEUE}`. Function "
        f"`{WORKER_FUNCTION}` is subscribed to the queue by an enabled event source mapping and "
        "sets the order's `status` to `CONFIRMED`.",
    ),
    Requirement(
        "daily-report",
        "A scheduled daily report",
        f"An EventBridge rule `{RULE}` runs function `{REPORT_FUNCTION}` once a day "
        "(`rate(1 day)` or a daily `cron(...)`), and the function's resource policy lets "
        f"EventBridge invoke it. Each run writes the item `{KEY} = \"{REPORT_PREFIX}YYYY-MM-DD\"` "
        "(the date of the scheduled event's `time`) with `orders` (how many orders the table "
        "holds, reports not counted) and `confirmed` (how many of them are `CONFIRMED`).",
    ),
    Requirement(
        "least-privilege",
        "Least privilege",
        f"Each of `{API_FUNCTION}`, `{WORKER_FUNCTION}` and `{REPORT_FUNCTION}` has its own role. "
        "No policy allows `*` or a whole service (`dynamodb:*`); DynamoDB and SQS actions name the "
        "table and queue ARNs, not `*`; and each role has what its function needs (the worker: "
        "`sqs:ReceiveMessage`, `sqs:DeleteMessage`, `sqs:GetQueueAttributes` on the queue).",
    ),
)


def requirement(item_id: str) -> Requirement:
    for req in REQUIREMENTS:
        if req.id == item_id:
            return req
    raise KeyError(f"No capstone requirement {item_id!r}; they are {', '.join(r.id for r in REQUIREMENTS)}")


def markdown() -> str:
    """The spec as a numbered Markdown list, for the notebook."""
    lines = [f"{n}. **{req.title}** (`{req.id}`). {req.text}" for n, req in enumerate(REQUIREMENTS, start=1)]
    return "\n".join(lines)
