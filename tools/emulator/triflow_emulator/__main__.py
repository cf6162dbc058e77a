"""Entry point for ``python -m triflow_emulator``."""

from triflow_emulator.cli import main

raise SystemExit(main())
