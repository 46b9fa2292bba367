"""A file or folder of the repo could not be read, so the repo was not fully checked.

## What it does
Reports everything svc could not read while linting the repo: a folder it cannot list, a file
it cannot open (permissions), a FIFO, socket or device where a file should be, a file over the
size limit (2 MiB, see the README's limits), a file that is binary or not UTF-8 text, and a
file or folder whose name is not UTF-8. Files are reported when svc needed them: the template,
the manifest, `.svc/answers.json`, and any file a rule asked for (dependency manifests, function
sources, state machine definitions). The repo's policy file is reported by SVC005 instead.

This rule cannot be turned off: like every engine rule (SVC), it always runs at error,
whatever `--select`, `--ignore`, a policy or a severity map says, and no suppression or
baseline hides it.

## Why is this bad?
What svc cannot read, it cannot check: without this finding a repo whose `functions/` folder
cannot be listed, or whose `requirements.txt` is UTF-16, would pass the gate with every rule
silent about the code it never saw. A FIFO or a huge sparse file is also how a hostile repo
would hang or exhaust a CI job that lints it; svc refuses to open them and says so.

## Example
```text
$ ls -l functions/
d---------  2 ci ci 4096 Mar  3 10:12 router
functions/router:0:0  error  SVC006  file-unreadable  functions/router is a folder that cannot be listed: permission denied
```

## Use instead
```text
$ chmod -R u+rwX functions/router     # make the repo readable by the CI user
$ iconv -f UTF-16 -t UTF-8 requirements.txt > r.txt && mv r.txt requirements.txt
$ git mv "$(printf 'caf\351.py')" cafe.py   # names in UTF-8
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from svc_serverless.linter.config import REPO_POLICY_PATH
from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule


def check(repo: LoadedRepo) -> Iterator[Problem]:
    for path, reason in repo.unread:
        if path == REPO_POLICY_PATH:
            continue  # SVC005 says why the repo's policy could not be applied
        yield Problem(
            f"{path} {reason}: svc could not check it, so this repo is not fully checked",
            file=path,
            path=path,
            # Baselines must survive a file growing: no sizes or byte offsets in the subject.
            subject=re.sub(r"[\d,]+", "N", reason),
        )


RULE = Rule(
    code="SVC006",
    name="file-unreadable",
    severity="error",
    tags=("engine",),
    doc=__doc__ or "",
    check=check,
)
