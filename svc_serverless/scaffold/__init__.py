"""svc's scaffold: creates service repositories from a template and keeps them current with it.

`scaffold.create.new_service` is `svc new`; `scaffold.update` is `svc update` (a git merge of
the template's new render, with svc's previous render in the repo's history as the base:
`history.py`), and `scaffold.check` is `svc check`. It never lints (that is `linter/`), and it
never runs code from a template: cookiecutter renders files only, in Jinja's sandbox, and
every post-step is Python in this package.
"""

from __future__ import annotations
