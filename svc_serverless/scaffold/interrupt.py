"""Signals that stop `svc new` become an exception, so its clean-up runs before the process ends.

Python turns SIGINT into KeyboardInterrupt, but SIGTERM (a CI runner's timeout, `kill`, a
container stopping) and SIGHUP (the terminal closing) end the process at once by default,
skipping every `finally`: the staging folder next to the target would be left behind.
`signals_raise()` makes them raise `Interrupted` inside its block; when the block has unwound,
the previous handlers are restored and the signal is sent again, so the process ends the way
it would have without svc's handler (killed by SIGTERM, KeyboardInterrupt for SIGINT).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

# SIGHUP does not exist on Windows.
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                if hasattr(signal, name))


class Interrupted(BaseException):
    """A stopping signal arrived. BaseException, so no `except Exception` on the way swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def signals_raise() -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM/SIGHUP raise Interrupted (the first one only: a second
    signal while the clean-up runs must not cut the clean-up short)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; there the default behaviour stays
        return
    received: list[int] = []
    raising = True

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if raising and len(received) == 1:
            raise Interrupted(signum)

    previous: dict[int, Any] = {}
    for signum in SIGNALS:
        current = signal.getsignal(signum)
        # An ignored signal (nohup, a parent's choice) stays ignored; a handler set outside
        # Python (None) could not be put back.
        if current is not signal.SIG_IGN and current is not None:
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    except Interrupted:
        pass  # re-sent below, once the handlers are back
    finally:
        raising = False  # a signal from here on is only recorded, and re-sent below
        for signum, old in previous.items():
            signal.signal(signum, old)
    if received:
        os.kill(os.getpid(), received[0])
        # Still running: the previous handler returned instead of ending the process.
        raise KeyboardInterrupt
