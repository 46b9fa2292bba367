"""Where the optional real-world corpus is: `../shared/corpus/serverless-patterns` beside the
project, or the folder named by `SVC_CORPUS`. Tests that use it skip, with this reason, when
it is absent: a clone of svc alone has no corpus, and every other test must still run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "serverless-patterns"
CORPUS = Path(os.environ.get("SVC_CORPUS", _DEFAULT))

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"real-world corpus not found at {CORPUS} (set SVC_CORPUS to a folder of SAM repos)",
)
