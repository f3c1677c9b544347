"""Threads that give way to the event loop: a lower scheduling priority for the calling one.

Work handed to threads so that the event loop stays free (password hashing, SQLite
reads) still competes with the loop for the machine's cores; at a lower priority
the kernel runs the loop first whenever both are ready.
"""

from __future__ import annotations

import os
import sys
import threading


def lower_thread_priority(niceness: int) -> None:
    """Lower the calling thread's priority by ``niceness`` (Linux's nice), where the
    system allows it.

    On Linux a thread id names that thread alone to setpriority; elsewhere it would
    name the process, so nothing is changed there.
    """
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
