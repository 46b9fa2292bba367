"""svc's scaffold: creates service repositories from the template in `scaffold/template/`.

`scaffold.create.new_service` is `svc new`. It never lints (that is `linter/`), and it never
runs code from the template: cookiecutter renders files only, and every post-step is Python
in this package.
"""

from __future__ import annotations
