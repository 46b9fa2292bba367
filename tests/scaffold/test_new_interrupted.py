"""`svc new` stopped by a signal leaves no staging folder behind, and ends as the signal asks.

Python turns Ctrl-C into KeyboardInterrupt, but SIGTERM (a CI timeout, `kill`, a container
stopping) and SIGHUP (a closed terminal) end a process without running any `finally`: svc
turns them into an exception while it works, removes its staging folder, then lets the signal
end the process. A child process pauses inside a step of `svc new` (the step is replaced in
the child only: svc has no hook for this), and the test signals it there.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from svc_serverless.scaffold import create
from svc_serverless.scaffold.create import NewRequest, new_service
from svc_serverless.scaffold.interrupt import SIGNALS
from tests.scaffold.conftest import listing

CHILD = """
import signal, sys, time
from pathlib import Path
from svc_serverless.cli import main
from svc_serverless.scaffold import create

# As on a terminal, whatever the test runner inherited (a CI shell may ignore SIGINT, nohup
# ignores SIGHUP, and svc rightly leaves an ignored signal ignored).
signal.signal(signal.SIGINT, signal.default_int_handler)
for name in ("SIGTERM", "SIGHUP"):
    signal.signal(getattr(signal, name), signal.SIG_DFL)

out, ready, step = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
real = getattr(create, step)

def paused(*args, **kwargs):
    result = real(*args, **kwargs)
    ready.write_text("paused")  # the staging folder now holds a rendered repo
    time.sleep(60)
    return result

setattr(create, step, paused)
git = [] if step == "commit_initial" else ["--no-git"]
sys.exit(main(["new", "billing", "--owner", "team-x", "-o", str(out), *git]))
"""


def _interrupt_while(step: str, signum: int, tmp_path: Path) -> tuple[int, str, list[str]]:
    """Run `svc new` in a child, paused after `step`; signal it; return its exit and output."""
    out = tmp_path / "out"
    out.mkdir()
    ready = tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(out), str(ready), step],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "svc new never reached the pause"
            time.sleep(0.02)
        staged = listing(out)
        assert len(staged) > 10 and staged[0].startswith(".svc-new-billing-"), staged
        child.send_signal(signum)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    return child.returncode, err, listing(out)


@pytest.mark.parametrize("signum", [s for s in SIGNALS if s != signal.SIGINT],
                         ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("step", ["render", "commit_initial"])
def test_a_stopping_signal_leaves_no_staging_folder(step: str, signum: int,
                                                    tmp_path: Path) -> None:
    code, err, left = _interrupt_while(step, signum, tmp_path)

    assert left == []
    # svc cleaned up, then ended by the same signal, as a caller expects.
    assert (code, err) == (-signum, "")


def test_ctrl_c_leaves_no_staging_folder(tmp_path: Path) -> None:
    code, err, left = _interrupt_while("render", signal.SIGINT, tmp_path)

    assert left == []
    assert (code, err) == (130, "svc: interrupted\n")


def test_the_previous_signal_handlers_are_restored(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("not expected to run")

    def broken(*args: object) -> None:
        raise RuntimeError("prune broke")

    before = {signum: signal.signal(signum, mine) for signum in SIGNALS}
    try:
        new_service(NewRequest(name="billing", owner="team-x", output_dir=tmp_path, git=False))
        assert all(signal.getsignal(signum) is mine for signum in SIGNALS)
        monkeypatch.setattr(create, "prune", broken)
        with pytest.raises(RuntimeError, match="prune broke"):
            new_service(NewRequest(name="invoicing", owner="team-x", output_dir=tmp_path,
                                   git=False))
        assert all(signal.getsignal(signum) is mine for signum in SIGNALS)
        assert [path for path in listing(tmp_path) if "/" not in path] == ["billing"]
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
