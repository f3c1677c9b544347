"""How hard to try the upstream: a timeout per try, a deadline overall, jittered backoff,
and how many unreadable answers for one page before that page fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_before_delay,
    wait_random_exponential,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Seconds allowed per try and in all, the exponential backoff between tries, and the
    tries a page gets when its answers cannot be read (a page that stays bad fails fast)."""

    per_try: float = 2.0
    deadline: float = 8.0
    backoff_base: float = 0.1
    backoff_cap: float = 2.0
    # 3: with 30% of answers failing (a quarter of them unreadable), every one of 2,000
    # reads in bench/catalog_under_failure.py is served; a page that stays bad costs 3 calls.
    bad_page_tries: int = 3

    def __post_init__(self) -> None:
        if min(self.per_try, self.deadline, self.backoff_base, self.backoff_cap) <= 0:
            raise ValueError("every duration of a RetryPolicy must be positive")
        if self.bad_page_tries < 1:
            raise ValueError("bad_page_tries must be 1 or more")

    def retrying(
        self,
        retry_on: tuple[type[BaseException], ...],
        *,
        before_sleep: Callable[[RetryCallState], None],
    ) -> AsyncRetrying:
        """Tries while ``retry_on`` is raised and the next pause ends before the deadline;
        the pauses are "full jitter", so that clients failing together do not retry together."""
        return AsyncRetrying(
            retry=retry_if_exception_type(retry_on),
            stop=stop_before_delay(self.deadline),
            wait=wait_random_exponential(multiplier=self.backoff_base, max=self.backoff_cap),
            before_sleep=before_sleep,
        )
