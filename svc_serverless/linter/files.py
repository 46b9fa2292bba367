"""Bounded reads of files svc does not trust: a scanned repo's, a facts file, a `--repos` list.

Every read here checks the size with `fstat` on the opened descriptor before reading (so a
sparse 1 GB file costs nothing), reads at most the limit, and never blocks: files inside a repo
are opened with O_NONBLOCK and refused unless they are regular files, so a FIFO, socket or
device where a file is expected is an "unreadable" result, never a hang. Inside a repo no link
is followed, not even in a folder on the way (`.svc -> /elsewhere`): each folder is opened
relative to the one before it with O_NOFOLLOW, so what is checked is what is read.

A failure is `Unreadable(reason)`, a short phrase for a finding or an error message
("is a FIFO, not a regular file", "is larger than 2 MiB").
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# Limits (README "Limits"). A CloudFormation template may not exceed 1 MB; everything else a
# service repo holds that svc reads (manifest, answers, dependency manifests, sources, state
# machine definitions) is far smaller than these.
MAX_REPO_FILE_BYTES = 2 * 1024 * 1024
MAX_POLICY_BYTES = 1024 * 1024
MAX_FACTS_BYTES = 4 * 1024 * 1024
MAX_REPOS_LIST_BYTES = 4 * 1024 * 1024
MAX_BASELINE_BYTES = 64 * 1024 * 1024  # ~400,000 accepted findings

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# Folders on the way are opened only to anchor the next step: O_PATH needs no read permission
# on them (like a path lookup), where the platform has it.
_ANCHOR = getattr(os, "O_PATH", os.O_RDONLY)
_KINDS = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a FIFO, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
    (stat.S_ISCHR, "is a device, not a regular file"),
    (stat.S_ISBLK, "is a device, not a regular file"),
)


class Unreadable(Exception):
    """A file svc would not or could not read; `reason` completes "<path> ..."."""

    def __init__(self, reason: str, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing  # it does not exist (often not a problem at all)


def size_text(limit: int) -> str:
    """A limit as people write it: 2 MiB, 512 KiB."""
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit // 1024} KiB" if limit % 1024 == 0 else f"{limit} bytes"


def kind_of(mode: int) -> str | None:
    """Why a file of this mode is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((why for test, why in _KINDS if test(mode)), "is not a regular file")


def _unreadable(err: OSError, link_hint: bool) -> Unreadable:
    return Unreadable(_reason(err, link_hint), missing=err.errno == errno.ENOENT)


def _reason(err: OSError, link_hint: bool) -> str:
    if link_hint and err.errno == errno.ELOOP:
        return "is a symbolic link: svc does not follow links; make it a regular file"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "cannot be opened: permission denied"
    if err.errno in (errno.ENOENT, errno.ENOTDIR):
        return "does not exist"
    return f"cannot be opened: {err.strerror or err.__class__.__name__}"


def _read_fd(fd: int, limit: int, regular_only: bool) -> bytes:
    info = os.fstat(fd)
    why = kind_of(info.st_mode)
    if why is not None and (regular_only or stat.S_ISDIR(info.st_mode)):
        raise Unreadable(why)
    if why is not None:
        # Opened without blocking; now wait for the writer (`<(...)`). A FIFO nobody writes
        # to reads as empty instead of hanging.
        os.set_blocking(fd, True)
    if info.st_size > limit:
        raise Unreadable(f"is larger than {size_text(limit)} ({info.st_size:,} bytes)")
    chunks: list[bytes] = []
    total = 0
    while total <= limit:  # the file may grow (or be a pipe): never read past the limit
        try:
            chunk = os.read(fd, min(1024 * 1024, limit + 1 - total))
        except BlockingIOError:
            raise Unreadable("is not ready to be read (a pipe with no writer?)") from None
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise Unreadable(f"is larger than {size_text(limit)}")
    return b"".join(chunks)


def read_in_repo(root: Path, rel: str, limit: int = MAX_REPO_FILE_BYTES) -> bytes:
    """The bytes of `rel` (a POSIX path under root), following no link on the way."""
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise Unreadable("is not a file inside the repo")
    fds: list[int] = []
    try:
        try:
            fds.append(os.open(root, _ANCHOR | _DIRECTORY | _CLOEXEC))
            for folder in parts[:-1]:
                fds.append(os.open(folder, _ANCHOR | _DIRECTORY | _NOFOLLOW | _CLOEXEC,
                                   dir_fd=fds[-1]))
            fds.append(os.open(parts[-1], os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC,
                               dir_fd=fds[-1]))
        except OSError as err:
            # ENOTDIR on the way: a folder of the path is a link (O_NOFOLLOW|O_DIRECTORY).
            if err.errno == errno.ENOTDIR and len(fds) < len(parts):
                raise Unreadable("is behind a symbolic link or a file where a folder should be: "
                                 "svc does not follow links in a repo") from None
            raise _unreadable(err, link_hint=True) from None
        try:
            return _read_fd(fds[-1], limit, regular_only=True)
        except OSError as err:
            raise _unreadable(err, link_hint=False) from None
    finally:
        for fd in fds:
            os.close(fd)


def read_file(path: Path, limit: int, *, regular_only: bool = True) -> bytes:
    """The bytes of a file named on the command line or found in a facts folder.

    Links are followed (the operator chose the path). With `regular_only=False` a pipe is read
    too, blocking, so `--repos <(generate-list)` works; a folder or an endless device still
    cannot be read past the limit.
    """
    flags = os.O_RDONLY | _CLOEXEC | _NONBLOCK
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise _unreadable(err, link_hint=False) from None
    try:
        return _read_fd(fd, limit, regular_only)
    except OSError as err:
        raise _unreadable(err, link_hint=False) from None
    finally:
        os.close(fd)


def decode_text(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); binary or other encodings are Unreadable."""
    if b"\0" in data[:8192]:
        raise Unreadable("is binary, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise Unreadable(f"is not UTF-8 text (byte {err.start + 1})") from None


def shown(name: str) -> str:
    """A file name as reports print it: bytes that are not UTF-8 written as \\xNN.

    os.scandir hands such bytes over as lone surrogates, which no terminal, JSON or XML
    writer accepts; an escaped name stays recognisable and prints everywhere.
    """
    return name if is_utf8(name) else os.fsencode(name).decode("utf-8", "backslashreplace")


def is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
