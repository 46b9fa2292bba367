"""`python -m svc_serverless` is `svc`.

`python -m` puts the current folder first on sys.path. svc is usually run inside a repo it
scans, and a scanned repo must never be able to supply a module svc imports (a `yaml.py` or
`rich/` in the repo would otherwise run as svc's code). Drop that entry before importing
anything else.
"""

import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from svc_serverless.cli import main

sys.exit(main())
