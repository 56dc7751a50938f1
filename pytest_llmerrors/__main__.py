"""``python -m pytest_llmerrors catalog [--provider NAME] [--format table|json|markdown]``."""

from __future__ import annotations

from ._catalog_cli import main

if __name__ == "__main__":
    raise SystemExit(main())
