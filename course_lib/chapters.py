"""The chapter map: one list that the README, chapter 00, navigation cells and the progress
dashboard all read, so they never drift from the files in ``notebooks/``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@dataclass(frozen=True)
class Chapter:
    number: int
    slug: str
    title: str
    summary: str
    minutes: int

    @property
    def stem(self) -> str:
        return f"{self.number:02d}_{self.slug}"

    @property
    def filename(self) -> str:
        return f"{self.stem}.ipynb"

    @property
    def exists(self) -> bool:
        return (NOTEBOOKS / self.filename).exists()


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(0, "start_here", "Start here", "How the course works, why nothing can cost money, how quizzes and progress work.", 10),
    Chapter(1, "what_is_serverless", "What serverless is", "No servers to manage, event-driven, scales to zero, pay per use; FaaS vs managed services.", 30),
    Chapter(2, "lambda", "AWS Lambda", "Functions, handlers, events and context; cold and warm starts; logs, errors, limits and billing.", 45),
    Chapter(3, "api_gateway", "API Gateway", "REST and HTTP APIs, proxy integrations, stages, authorizers, CORS; a CRUD service.", 45),
    Chapter(4, "dynamodb", "DynamoDB", "Keys and partitions, queries vs scans, indexes, transactions, streams, capacity modes.", 45),
    Chapter(5, "s3", "S3", "Buckets and objects, storage classes, presigned URLs, versioning, event notifications.", 40),
    Chapter(6, "sqs", "SQS", "Decoupling with queues: standard vs FIFO, visibility timeout, DLQs, Lambda batches.", 40),
    Chapter(7, "sns_eventbridge", "SNS and EventBridge", "Pub/sub and fan-out, filter policies, event buses, rules, schedules.", 45),
    Chapter(8, "step_functions", "Step Functions", "State machines in ASL: choices, retries, parallel and map; Standard vs Express.", 45),
    Chapter(9, "kinesis_firehose", "Kinesis and Firehose", "Streams, shards and ordering; Lambda on records; Firehose to S3; streaming analytics.", 40),
    Chapter(10, "cognito", "Cognito", "User pools, sign-up and sign-in, JWTs verified against JWKS, protecting an API.", 40),
    Chapter(11, "aurora_fargate_efs_apprunner", "Aurora Serverless, Fargate, EFS and App Runner", "Serverless SQL, containers without servers, shared files, hosted web apps.", 45),
    Chapter(12, "cloudwatch_iam", "CloudWatch and IAM", "Logs, metrics and alarms; roles, policies and least privilege enforced live.", 45),
    Chapter(13, "costs", "Costs, and when not to use serverless", "The pricing model in depth, break-even against EC2 and Fargate, when serverless does not fit.", 40),
    Chapter(14, "patterns_capstone", "Architecture patterns and capstone", "Three patterns built end to end, and a capstone that checks itself.", 90),
)


def by_stem(stem: str) -> Chapter:
    for chapter in CHAPTERS:
        if chapter.stem == stem:
            return chapter
    raise KeyError(f"No chapter {stem!r}; chapters are {', '.join(c.stem for c in CHAPTERS)}")


def available() -> list[Chapter]:
    """Chapters whose notebook exists in this checkout."""
    return [c for c in CHAPTERS if c.exists]


def map_markdown(only_available: bool = False) -> str:
    """The chapter map as a Markdown table (links work from inside ``notebooks/``)."""
    rows = ["| # | Chapter | What you will do | Time |", "|---|---|---|---|"]
    for c in CHAPTERS:
        if only_available and not c.exists:
            continue
        title = f"[{c.title}]({c.filename})" if c.exists else f"{c.title} *(coming soon)*"
        rows.append(f"| {c.number:02d} | {title} | {c.summary} | {c.minutes} min |")
    return "\n".join(rows)
