"""``python -m chainrule`` is the ``chainrule`` command."""

from __future__ import annotations

import sys

from chainrule.cli import main

if __name__ == "__main__":
    sys.exit(main())
