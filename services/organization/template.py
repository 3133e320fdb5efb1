"""`python -m services.organization.template FILE`: write the empty import template."""

from __future__ import annotations

import sys
from pathlib import Path

from services.organization.xlsx import template


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(
            "usage: python -m services.organization.template FILE.xlsx", file=sys.stderr
        )
        return 2
    Path(argv[1]).write_bytes(template())
    print(f"wrote {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
