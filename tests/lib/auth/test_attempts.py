"""Login attempt limits per account name and per client (lib/auth/attempts.py)."""

from __future__ import annotations

import threading

import pytest

from lib.auth.accounts import MAX_NAME_LENGTH
from lib.auth.attempts import (
    LOCKOUT_SECONDS,
    MAX_FAILURES_PER_CLIENT,
    MAX_FAILURES_PER_NAME,
    UNKNOWN_CLIENT,
    WINDOW_SECONDS,
    LoginThrottle,
    client_key,
    name_key,
    too_many_attempts,
)


class FakeClock:
    """Seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def fail(throttle: LoginThrottle, name: str, client: str, times: int) -> list[float]:
    """Admit `times` attempts that all turn out wrong; the waits `admit` returned."""
    return [throttle.admit(name, client) for _ in range(times)]


def test_the_defaults_are_five_per_name_twenty_per_client_fifteen_minutes():
    assert (MAX_FAILURES_PER_NAME, MAX_FAILURES_PER_CLIENT) == (5, 20)
    assert WINDOW_SECONDS == LOCKOUT_SECONDS == 15 * 60


def test_a_name_is_refused_after_five_failures_until_the_lockout_ends(clock):
    throttle = LoginThrottle(clock=clock)
    assert fail(throttle, "alice", "10.0.0.1", 5) == [0.0] * 5
    assert throttle.admit("alice", "10.0.0.1") == LOCKOUT_SECONDS
    # from another client too: the limit is on the name
    assert throttle.admit("alice", "10.0.0.2") == LOCKOUT_SECONDS
    assert throttle.admit("bob", "10.0.0.2") == 0.0
    clock.advance(LOCKOUT_SECONDS - 1)
    assert throttle.admit("alice", "10.0.0.3") == 1.0
    clock.advance(1)
    assert throttle.admit("alice", "10.0.0.3") == 0.0


def test_refused_attempts_do_not_extend_the_lockout(clock):
    throttle = LoginThrottle(clock=clock)
    fail(throttle, "alice", "c", 5)
    for _ in range(10):
        clock.advance(60)
        throttle.admit("alice", "c")
    assert throttle.admit("alice", "c") == LOCKOUT_SECONDS - 600


def test_the_name_is_stripped_like_authenticate_does(clock):
    throttle = LoginThrottle(clock=clock)
    fail(throttle, " alice", "c1", 3)
    fail(throttle, "alice\t", "c2", 2)
    assert throttle.admit("alice", "c3") > 0


def test_failures_older_than_the_window_do_not_count(clock):
    throttle = LoginThrottle(clock=clock)
    fail(throttle, "alice", "c", 4)
    clock.advance(WINDOW_SECONDS)
    assert fail(throttle, "alice", "c", 4) == [0.0] * 4
    assert throttle.admit("alice", "c") == 0.0  # the fifth within the window is still checked
    assert throttle.admit("alice", "c") == LOCKOUT_SECONDS


def test_failures_spread_over_the_window_lock_once_five_fall_inside_it(clock):
    throttle = LoginThrottle(clock=clock)
    for _ in range(4):
        assert throttle.admit("alice", "c") == 0.0
        clock.advance(WINDOW_SECONDS / 4)
    assert throttle.admit("alice", "c") == 0.0  # the first has just left the window: 4 inside
    assert throttle.admit("alice", "c") == 0.0  # 5 inside: still checked, and now locked
    assert throttle.admit("alice", "c") == LOCKOUT_SECONDS


def test_a_success_resets_the_names_count(clock):
    throttle = LoginThrottle(clock=clock)
    fail(throttle, "alice", "c", 4)
    throttle.admit("alice", "c")
    throttle.record_success("alice", "c")
    assert fail(throttle, "alice", "c", 4) == [0.0] * 4
    assert throttle.admit("alice", "c") == 0.0


def test_a_success_on_the_fifth_attempt_is_not_locked_out(clock):
    throttle = LoginThrottle(clock=clock)
    fail(throttle, "alice", "c", 4)
    assert throttle.admit("alice", "c") == 0.0  # this one's password turns out right
    throttle.record_success("alice", "c")
    assert throttle.admit("alice", "c") == 0.0


def test_a_client_is_refused_after_twenty_failures_across_names(clock):
    throttle = LoginThrottle(clock=clock)
    waits = [throttle.admit(f"user{i}", "203.0.113.9") for i in range(MAX_FAILURES_PER_CLIENT)]
    assert waits == [0.0] * MAX_FAILURES_PER_CLIENT
    assert throttle.admit("someone-new", "203.0.113.9") == LOCKOUT_SECONDS
    assert throttle.admit("someone-new", "203.0.113.10") == 0.0
    clock.advance(LOCKOUT_SECONDS)
    assert throttle.admit("another", "203.0.113.9") == 0.0


def test_logging_into_an_own_account_does_not_reset_the_clients_count(clock):
    throttle = LoginThrottle(max_failures_per_client=3, clock=clock)
    for guess in ("alice", "bob"):
        throttle.admit(guess, "c")  # wrong
        throttle.admit("mallory", "c")
        throttle.record_success("mallory", "c")  # the attacker's own account
    assert throttle.admit("carol", "c") == 0.0  # the third failure from this client
    assert throttle.admit("dave", "c") == LOCKOUT_SECONDS


def test_a_success_gives_back_only_its_own_attempt_and_lifts_a_lock_it_set(clock):
    throttle = LoginThrottle(max_failures_per_client=3, clock=clock)
    fail(throttle, "x", "c", 2)
    assert throttle.admit("mallory", "c") == 0.0  # counted: the client reaches its limit
    throttle.record_success("mallory", "c")  # it was right after all
    assert throttle.admit("y", "c") == 0.0
    assert throttle.admit("z", "c") == LOCKOUT_SECONDS


def test_names_and_clients_are_counted_separately_with_their_own_limits(clock):
    throttle = LoginThrottle(max_failures_per_name=2, max_failures_per_client=4, clock=clock)
    fail(throttle, "alice", "c1", 2)
    assert throttle.admit("alice", "c2") > 0
    fail(throttle, "bob", "c2", 1)
    fail(throttle, "carol", "c2", 1)
    fail(throttle, "dave", "c2", 1)
    assert throttle.admit("erin", "c2") == 0.0
    assert throttle.admit("frank", "c2") == LOCKOUT_SECONDS


def test_memory_is_bounded_and_the_oldest_records_go_first(clock):
    throttle = LoginThrottle(
        max_failures_per_name=2, max_failures_per_client=2, max_tracked=100, clock=clock
    )
    for i in range(150):
        clock.advance(1)
        throttle.admit(f"name{i}", f"c{i}")  # one failure each: one below the limits

    def remembered(i: int) -> bool:
        """Only a remembered record reaches its limit with one more failure."""
        throttle.admit(f"name{i}", f"c{i}")
        return throttle.admit(f"name{i}", f"c{i}") > 0

    newest_first = [i for i in reversed(range(150)) if remembered(i)]
    assert newest_first == list(reversed(range(50, 150)))


def test_huge_names_cost_no_memory_and_never_match_a_real_account():
    longest = "n" * MAX_NAME_LENGTH
    assert name_key(longest) == longest
    assert name_key(longest + "x" * 10_000) == longest + "x"
    assert name_key("  alice  ") == "alice"


def test_concurrent_attempts_never_get_more_than_the_limit_through(clock):
    throttle = LoginThrottle(clock=clock)
    start = threading.Barrier(16)
    admitted: list[float] = []

    def attempt() -> None:
        start.wait()
        for _ in range(25):
            admitted.append(throttle.admit("alice", f"c{threading.get_ident()}"))

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 16 * 25
    assert admitted.count(0.0) == MAX_FAILURES_PER_NAME


def test_concurrent_successes_and_failures_keep_the_counts_exact(clock):
    # 8 workers x 100 failures from one client; at most 8 successes are pending at once, so
    # a limit of 810 is never reached during the run and the count must end at exactly 800.
    throttle = LoginThrottle(max_failures_per_client=810, clock=clock)
    start = threading.Barrier(8)
    refused: list[float] = []

    def attempts(worker: int) -> None:
        start.wait()
        for i in range(200):
            name = f"w{worker}-{i % 3}"  # each name alternates failure and success
            wait = throttle.admit(name, "shared")
            if wait:
                refused.append(wait)
            elif i % 2:
                throttle.record_success(name, "shared")

    threads = [threading.Thread(target=attempts, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert refused == []
    assert [throttle.admit(f"fresh{i}", "shared") for i in range(10)] == [0.0] * 10
    assert throttle.admit("one-more", "shared") == LOCKOUT_SECONDS
    assert all(throttle.admit(f"w{w}-{k}", "other") == 0.0 for w in range(8) for k in range(3))


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        LoginThrottle(max_failures_per_name=0)
    with pytest.raises(ValueError):
        LoginThrottle(max_tracked=0)


def test_client_key_is_the_address_or_one_shared_key():
    assert client_key("198.51.100.7") == "198.51.100.7"
    assert client_key("2001:db8::1") == "2001:db8::1"
    assert client_key(None) == client_key("") == UNKNOWN_CLIENT


@pytest.mark.parametrize(
    ("seconds", "minutes"), [(LOCKOUT_SECONDS, 15), (61, 2), (60, 1), (0.5, 1)]
)
def test_the_refusal_says_in_chinese_and_english_when_to_retry(seconds, minutes):
    problem = too_many_attempts(seconds)
    assert problem.code == "login_throttled"
    assert f"请在 {minutes} 分钟后再试" in problem.message_zh
    assert f"Try again in {minutes} minute" in problem.message_en
