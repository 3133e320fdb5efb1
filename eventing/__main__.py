"""`python -m eventing ...`"""

from __future__ import annotations

import sys

from eventing.cli import main

sys.exit(main())
