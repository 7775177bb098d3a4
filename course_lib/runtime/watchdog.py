"""Timeouts for handlers that run in the kernel's own process.

AWS stops a function when it runs past its Timeout. In-process we cannot kill a thread, but we
can do the next best thing: one watchdog thread keeps the deadlines of running invocations and,
when one passes, raises :class:`FunctionTimedOut` inside the handler's thread (CPython's
``PyThreadState_SetAsyncExc``). That interrupts pure-Python work such as an endless loop.

Differs from AWS: a handler blocked inside one long C call (``time.sleep(60)``, a socket read)
is interrupted only when that call returns; the invocation is still reported as timed out.
The subprocess mode enforces timeouts for real.
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import threading
import time


class FunctionTimedOut(BaseException):
    """Raised inside a handler past its deadline. BaseException, so ``except Exception`` in
    handler code cannot swallow it (as no handler can survive a real Lambda timeout)."""


def _raise_in(thread_id: int, exc_type: type[BaseException]) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc_type))


def _clear_pending(thread_id: int) -> None:
    # NULL (not None) withdraws an exception that was set but not yet raised.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.c_void_p(None))


class Watchdog:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._active: dict[int, int] = {}  # token -> thread id
        self._tokens = itertools.count(1)
        self._thread: threading.Thread | None = None

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="course-lambda-watchdog", daemon=True)
            self._thread.start()

    def watch(self, seconds: float) -> int:
        """Start watching the calling thread; returns a token for :meth:`release`."""
        token = next(self._tokens)
        with self._cond:
            self._ensure_thread()
            self._active[token] = threading.get_ident()
            heapq.heappush(self._heap, (time.monotonic() + seconds, token))
            self._cond.notify()
        return token

    def release(self, token: int) -> bool:
        """Stop watching. Returns True when the deadline had already fired."""
        with self._cond:
            if self._active.pop(token, None) is not None:
                return False
        # Fired: the exception may still be pending in this thread; clear it so it cannot
        # surface later in unrelated code.
        _clear_pending(threading.get_ident())
        return True

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                deadline, token = self._heap[0]
                now = time.monotonic()
                if token not in self._active:
                    heapq.heappop(self._heap)
                    continue
                if deadline > now:
                    self._cond.wait(deadline - now)
                    continue
                heapq.heappop(self._heap)
                thread_id = self._active.pop(token)
                _raise_in(thread_id, FunctionTimedOut)


WATCHDOG = Watchdog()
