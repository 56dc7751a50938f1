"""The package's shape: what a run pays for, and which way its layers depend on each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_llmerrors

PACKAGE = Path(pytest_llmerrors.__file__).parent
#: The layers, in the order data flows: a package may import those before it, not after.
LAYERS = ("_clock", "_providers", "_limits", "_interception", "_verdict")

REPORT_MODULES = """
import sys

def pytest_unconfigure(config):
    loaded = sorted(m for m in sys.modules if m.startswith("pytest_llmerrors"))
    print("LOADED", " ".join(loaded))
"""


def _loaded(result: pytest.RunResult) -> set[str]:
    line = next(line for line in result.outlines if line.startswith("LOADED"))
    return set(line.split()[1:])


def test_a_run_without_marked_tests_loads_no_machinery(pytester: pytest.Pytester) -> None:
    """An unmarked suite loads no profile, clock or interception: it pays only for options."""
    pytester.makeconftest(REPORT_MODULES)
    pytester.makepyfile("def test_plain(): assert True")
    result = pytester.runpytest_subprocess("-s", "-p", "no:randomly")
    result.assert_outcomes(passed=1)
    loaded = _loaded(result)
    assert loaded == {
        "pytest_llmerrors",
        "pytest_llmerrors._options",
        "pytest_llmerrors._policy",
        "pytest_llmerrors._version",
        "pytest_llmerrors.hookspecs",
        "pytest_llmerrors.plugin",
    }


def test_a_marked_test_loads_the_machinery_it_needs(pytester: pytest.Pytester) -> None:
    """The first marked test brings in the clock, the interception and the profiles."""
    pytester.makeconftest(REPORT_MODULES)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.llm_errors
        def test_marked(inject_error):
            assert inject_error.attempts == []
        """
    )
    result = pytester.runpytest_subprocess("-s", "-p", "no:randomly")
    result.assert_outcomes(passed=1)
    for package in LAYERS:
        assert f"pytest_llmerrors.{package}" in _loaded(result)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Return (level, module) of every relative import in `path`, module as written."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.level, node.module or "")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]


def test_no_package_reaches_into_another_packages_private_modules() -> None:
    """Packages talk through each other's ``__init__``: ``from .._verdict import View``."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        here = path.relative_to(PACKAGE).parts
        own = here[0] if len(here) > 1 else None
        for level, module in _imports(path):
            parts = module.split(".") if module else []
            # Resolve the import to the top-level name it reaches inside the package.
            top = parts[0] if level == (2 if own else 1) and parts else None
            if top is None or top == own or top not in LAYERS:
                continue
            if len(parts) > 1 and parts[1].startswith("_"):
                offenders.append(f"{'/'.join(here)}: from {'.' * level}{module}")
    assert offenders == []


def test_layers_depend_only_on_layers_upstream() -> None:
    """Data flows one way: clock and profiles, then interception, then the verdict."""
    offenders = []
    for package in LAYERS:
        for path in (PACKAGE / package).rglob("*.py"):
            for level, module in _imports(path):
                top = module.split(".")[0] if level == 2 and module else None
                if top in LAYERS and LAYERS.index(top) > LAYERS.index(package):
                    offenders.append(f"{package}/{path.name}: from ..{module}")
    assert offenders == []
