"""Dotted names, of modules and of loggers alike: whether one lies inside a package."""

from __future__ import annotations


def in_packages(name: str, packages: tuple[str, ...]) -> bool:
    """Whether `name` is one of `packages` or inside one (``openai._base_client`` is in
    ``openai``; ``openai_compat`` is not)."""
    return any(name == p or name.startswith(p + ".") for p in packages)
