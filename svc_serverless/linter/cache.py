"""svc's cache folder: where it is, that only its user can write it, and the locks that let
concurrent runs share it.

It holds only the clones of `svc lint --repos` (sources.py). There is no result cache: a
cached result is a verdict, and whoever can write the folder could forge one to turn a failing
repo into a passing one. A key that cannot lie (inode and change time as well as size and
modification time of every file) made warm runs only about 2x faster on the 218-repo corpus
and about 5x on 10,000 generated repos, and the single-repo CI gate, svc's main use, runs on
a fresh checkout where no cached result would ever match.

Everything in the folder is treated as hostile: a folder another user can write is refused,
and a lock file is never opened through a link.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from svc_serverless.errors import SvcError

LOCK_WAIT = 300.0  # seconds a run waits for another run's clone of the same repo
_POLL = 0.05


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "svc"


def private_dir(path: Path, *, may_link: bool) -> Path:
    """`path` as a folder only this user can write, created with mode 0700 when missing.

    `may_link`: the user may point their cache folder elsewhere with a link; the folders svc
    makes inside it are never links. SvcError for a folder of another user, one the group or
    others can write (they could swap a clone), or anything that is not a folder.
    """
    way_out = "use --cache-dir DIR with a folder only you can write"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(path) if may_link else os.lstat(path)
    except OSError as err:
        raise SvcError(f"cannot create cache folder {path}: {err.strerror}; {way_out}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise SvcError(f"cache folder {path} is not a folder: {way_out}")
    if info.st_uid != os.geteuid():
        raise SvcError(f"cache folder {path} belongs to another user: {way_out}")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise SvcError(f"cache folder {path} can be written by other users "
                       f"(mode {stat.S_IMODE(info.st_mode):o}): run `chmod go-w {path}` or {way_out}")
    return path


@contextmanager
def locked(path: Path, *, shared: bool = False, wait: float | None = None) -> Iterator[None]:
    """Hold an flock on the file at `path` (made if missing) for the `with` block.

    Exclusive to change what the lock guards, shared to read it. TimeoutError after `wait`
    seconds (default LOCK_WAIT): a run must not hang forever behind a stuck one.
    """
    import fcntl

    fd = _open_lock(path)
    try:
        operation = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
        deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
        while True:
            try:
                fcntl.flock(fd, operation)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"{path} is held by another svc run; "
                                       "try again when it has finished") from None
                time.sleep(_POLL)
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the run is killed


def _open_lock(path: Path) -> int:
    """Open (or create, 0600) a regular lock file of ours; a link or anything else found at
    the path is removed first, never followed (a planted link must not make svc touch its target).
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    for attempt in range(2):
        try:
            fd = os.open(path, flags, 0o600)
        except OSError as err:
            if err.errno != errno.ELOOP or attempt:
                raise
            path.unlink()
            continue
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
            return fd
        os.close(fd)
        if attempt:
            break
        path.unlink()
    raise OSError(errno.EPERM, f"{path} is not a lock file of this user")
