"""A toy model of a standard SQS queue's insides: why delivery is at-least-once and ordering
is only best-effort.

    from course_lib.standard_queue_model import StandardQueueModel
    queue = StandardQueueModel(seed=7)
    for n in range(1, 9):
        queue.send(f"order-{n}")
    batch = queue.receive()                        # a short poll samples some servers
    queue.delete(batch[0].message_id, unavailable={"server-2"})   # one copy survives
    queue.receive()                                # ...and comes back: a duplicate

What it models, from AWS's own explanations (Amazon SQS Developer Guide, "at-least-once
delivery" and "short and long polling"):

* SQS stores **copies of each message on several servers**. On rare occasions a server is
  unavailable when you delete a message; its copy is not deleted and can be received again.
  Hence *at-least-once* delivery, and consumers that must be idempotent.
* A **short poll** (``WaitTimeSeconds=0``) asks only a **subset of the servers**, chosen at
  random. Messages held only by servers that were not asked are missed this time: a later
  message can be returned before an earlier one (*best-effort* ordering), and a poll can even
  come back empty while messages wait (a "false empty" response). A **long poll** asks every
  server.

What it is not: the numbers (servers, copies, how many are sampled) are invented to make the
effects visible in a few calls; AWS does not publish them, and on AWS these effects are rare.
The real queues in the sandbox (moto) never duplicate or reorder on their own; the duplicates
you can produce there come from visibility timeouts, as on AWS.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModelMessage:
    message_id: str
    body: str
    receive_count: int


@dataclass
class _Stored:
    message_id: str
    body: str
    sequence: int
    servers: set[str]
    in_flight: bool = False
    receive_count: int = 0


@dataclass
class StandardQueueModel:
    """Messages stored as copies on several servers; short polls sample some of them."""

    servers: int = 5
    copies: int = 3
    sampled: int = 2
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False)
    _stored: list[_Stored] = field(init=False, default_factory=list, repr=False)
    _next: int = field(init=False, default=1, repr=False)
    log: list[str] = field(init=False, default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.copies <= self.servers or not 1 <= self.sampled <= self.servers:
            raise ValueError("Need 1 <= copies <= servers and 1 <= sampled <= servers.")
        self._rng = random.Random(self.seed)

    @property
    def server_names(self) -> list[str]:
        return [f"server-{i}" for i in range(1, self.servers + 1)]

    def send(self, body: str) -> str:
        """Store the message on ``copies`` randomly chosen servers; returns its id."""
        message_id = f"m{self._next:03d}"
        where = set(self._rng.sample(self.server_names, self.copies))
        self._stored.append(_Stored(message_id, body, self._next, where))
        self._next += 1
        self.log.append(f"send {body}: copies on {', '.join(sorted(where))}")
        return message_id

    def receive(self, max_messages: int = 10, long_poll: bool = False) -> list[ModelMessage]:
        """A short poll asks ``sampled`` random servers; a long poll asks them all."""
        asked = set(self.server_names) if long_poll else set(self._rng.sample(self.server_names, self.sampled))
        found = [s for s in self._stored if not s.in_flight and s.servers & asked]
        # Each server answers with what it holds; the answers are merged server by server, so
        # a message only some servers hold can overtake an older one.
        order = sorted(asked)
        found.sort(key=lambda s: (min(order.index(x) for x in s.servers & asked), s.sequence))
        batch = found[:max_messages]
        for stored in batch:
            stored.in_flight = True
            stored.receive_count += 1
        self.log.append(
            f"receive ({'long' if long_poll else 'short'} poll of {', '.join(order)}): "
            + (", ".join(s.body for s in batch) or "nothing")
        )
        return [ModelMessage(s.message_id, s.body, s.receive_count) for s in batch]

    def delete(self, message_id: str, unavailable: set[str] | frozenset[str] = frozenset()) -> None:
        """Delete every copy on reachable servers. A copy on an unavailable server survives and
        becomes receivable again (the receive that follows may return it: a duplicate)."""
        for stored in list(self._stored):
            if stored.message_id != message_id:
                continue
            survivors = stored.servers & set(unavailable)
            if survivors:
                stored.servers = survivors
                stored.in_flight = False
                self.log.append(f"delete {stored.body}: copy on {', '.join(sorted(survivors))} missed (server unavailable)")
            else:
                self._stored.remove(stored)
                self.log.append(f"delete {stored.body}: every copy deleted")

    def release(self) -> None:
        """Every in-flight message becomes visible again (its visibility timeout ran out)."""
        for stored in self._stored:
            stored.in_flight = False

    @property
    def waiting(self) -> list[str]:
        """Bodies still stored (visible or in flight), in send order."""
        return [s.body for s in sorted(self._stored, key=lambda s: s.sequence)]
