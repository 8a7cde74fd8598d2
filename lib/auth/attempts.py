"""Login attempt limiting for local accounts: per account name and per client.

Every admitted attempt counts as a failure until it is reported a success, so parallel
sessions cannot slip extra guesses past the limit while their password checks run. When a
name (or a client) reaches its limit of attempts within the window, further attempts for it
are refused for the lockout time without checking any password. A success clears the
name's record and gives the client back the one attempt, so a person who mistypes once is
never locked out, while a client that guesses across many names stays limited even if it
logs into an account of its own in between. Memory is bounded: at most `max_tracked`
names and as many clients are remembered; a new one pushes out the one whose last attempt
is oldest (records are kept in that order, so expired ones go first). Pure Python: no
streamlit; the clock is injected for the tests.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from lib.auth.accounts import MAX_NAME_LENGTH
from lib.core.errors import Problem

MAX_FAILURES_PER_NAME = 5
# A client address may stand for many people (an office NAT, a reverse proxy), so it gets
# more room than one account name; a spray from one address is still capped.
MAX_FAILURES_PER_CLIENT = 20
WINDOW_SECONDS = 15 * 60.0
LOCKOUT_SECONDS = 15 * 60.0
MAX_TRACKED = 10_000
UNKNOWN_CLIENT = "unknown client"


@dataclass
class _Record:
    """Times of the attempts counted against one key (at most its limit) and its lock."""

    attempts: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class _Ledger:
    """Records for one kind of key (names or clients), oldest last attempt first; the caller
    holds the lock."""

    def __init__(self, limit: int, max_tracked: int) -> None:
        self.limit = limit
        self.max_tracked = max_tracked
        self.records: OrderedDict[str, _Record] = OrderedDict()

    def wait(self, key: str, now: float) -> float:
        record = self.records.get(key)
        return max(0.0, record.locked_until - now) if record is not None else 0.0

    def count(self, key: str, now: float, window: float, lockout: float) -> None:
        record = self.records.get(key)
        if record is None:
            record = self.records[key] = _Record()
            while len(self.records) > self.max_tracked:
                self.records.popitem(last=False)
        self.records.move_to_end(key)
        recent = [t for t in record.attempts if t > now - window]
        record.attempts = [*recent, now][-self.limit :]
        if len(record.attempts) >= self.limit:
            record.locked_until = now + lockout

    def refund(self, key: str) -> None:
        """Take back one counted attempt; below the limit again, so any lock goes too (a
        lock can only have been set while this attempt was being checked)."""
        record = self.records.get(key)
        if record is not None and record.attempts:
            record.attempts.pop()
            record.locked_until = 0.0

    def forget(self, key: str) -> None:
        self.records.pop(key, None)


class LoginThrottle:
    """Thread-safe attempt limits; one instance per server process.

    Call `admit` before checking a password: 0.0 means go ahead (the attempt now counts as
    a failure), anything else is the number of seconds until the next attempt is allowed.
    Call `record_success` after a password matched.
    """

    def __init__(
        self,
        *,
        max_failures_per_name: int = MAX_FAILURES_PER_NAME,
        max_failures_per_client: int = MAX_FAILURES_PER_CLIENT,
        window_seconds: float = WINDOW_SECONDS,
        lockout_seconds: float = LOCKOUT_SECONDS,
        max_tracked: int = MAX_TRACKED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if min(max_failures_per_name, max_failures_per_client, max_tracked) < 1:
            raise ValueError("limits and max_tracked must be at least 1")
        self._window = window_seconds
        self._lockout = lockout_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._names = _Ledger(max_failures_per_name, max_tracked)
        self._clients = _Ledger(max_failures_per_client, max_tracked)

    def admit(self, name: str, client: str) -> float:
        """0.0 when this attempt may check the password, else the seconds to wait."""
        name = name_key(name)
        with self._lock:
            now = self._clock()
            wait = max(self._names.wait(name, now), self._clients.wait(client, now))
            if wait > 0:
                return wait
            self._names.count(name, now, self._window, self._lockout)
            self._clients.count(client, now, self._window, self._lockout)
            return 0.0

    def record_success(self, name: str, client: str) -> None:
        """Forget the name's attempts and give the client back this attempt."""
        name = name_key(name)
        with self._lock:
            self._names.forget(name)
            self._clients.refund(client)


def name_key(name: str) -> str:
    """The key an account name is counted under: stripped like `authenticate` does, and cut
    just past the longest valid name so a huge input costs no memory yet never merges with
    a real account."""
    return name.strip()[: MAX_NAME_LENGTH + 1]


def client_key(ip_address: str | None) -> str:
    """Who is attempting: the connection's address, or one key shared by every connection
    whose address is unknown (Streamlit reports loopback as None; behind a proxy on this
    host the server already takes the address from the proxy's X-Forwarded-For header)."""
    return ip_address or UNKNOWN_CLIENT


def too_many_attempts(wait_seconds: float) -> Problem:
    """The bilingual refusal, saying in how many minutes to try again."""
    minutes = max(1, math.ceil(wait_seconds / 60))
    return Problem(
        "login_throttled",
        f"登录失败次数过多，已暂停登录。请在 {minutes} 分钟后再试。",
        f"Too many failed login attempts; logging in is paused. Try again in {minutes} "
        f"minute{'s' if minutes != 1 else ''}.",
        value=str(minutes),
    )
