"""Entry point: `python -m benchmarks [--quick] [--only ROW] ...`."""

from benchmarks.cli import main

raise SystemExit(main())
