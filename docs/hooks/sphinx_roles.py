"""Render the docstrings' Sphinx roles as cross-references in the API pages.

The package's numpydoc docstrings cite other objects with Sphinx roles
(``:class:`MetaLearner```, ``:func:`~robust_mlr.stages.screening.size_cap```,
``:mod:`.sdp```), which mkdocstrings would show literally. This Griffe
extension (loaded by the mkdocstrings Python handler, see ``mkdocs.yml``)
rewrites each role, once the package is loaded and before any docstring is
parsed, into an *optional* mkdocs-autorefs reference:

* the target is resolved in the scope of the documented object (its members,
  its module's names and imports, then its parents), like Python's own name
  lookup; a leading ``.`` is relative to the object's package and ``~`` shows
  only the last component, as in Sphinx;
* an optional reference becomes a link when the target is rendered somewhere
  on the site and plain code otherwise, so an unresolvable role never makes a
  warning.

The docstrings themselves are left as they are (they read well in ``help()``
and in Sphinx).
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

_ROLE = re.compile(
    r":(?:py:)?(?P<role>class|func|meth|mod|data|attr|exc|obj|const)"
    r":`(?P<target>[^`]+)`")


def _package_of(obj: griffe.Object) -> griffe.Object:
    """The package a relative name in ``obj``'s docstring is relative to."""
    module = obj if obj.is_module else obj.module
    if module.is_init_module or module.parent is None:
        return module
    return module.parent


def _resolve(obj: griffe.Object, target: str) -> str:
    """The full dotted path ``target`` names in the scope of ``obj``."""
    if target.startswith("."):
        base = _package_of(obj)
        rest = target[1:]
        while rest.startswith("."):
            base = base.parent if base.parent is not None else base
            rest = rest[1:]
        return f"{base.path}.{rest}" if rest else base.path
    head, _, tail = target.partition(".")
    try:
        path = obj.resolve(head)
    except griffe.NameResolutionError:
        return target
    return f"{path}.{tail}" if tail else path


def _rewrite(obj: griffe.Object, text: str) -> str:
    def replace(match: re.Match) -> str:
        target = match["target"].strip()
        short = target.startswith("~")
        target = target.lstrip("~")
        if "<" in target:                           # Sphinx "title <target>" form
            shown, _, target = target.partition("<")
            shown, target = shown.strip(), target.rstrip(">").strip()
        else:
            shown = target.rsplit(".", 1)[-1] if short else target.lstrip(".")
        if match["role"] in ("func", "meth") and not shown.endswith(")"):
            shown += "()"
        identifier = _resolve(obj, target)
        return (f'<autoref identifier="{html.escape(identifier)}" optional>'
                f"<code>{html.escape(shown)}</code></autoref>")

    return _ROLE.sub(replace, text)


def _walk(obj: griffe.Object, seen: set[str]) -> None:
    if obj.path in seen:
        return
    seen.add(obj.path)
    if obj.docstring is not None:
        obj.docstring.value = _rewrite(obj, obj.docstring.value)
    for member in obj.members.values():
        if not member.is_alias:
            _walk(member, seen)


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every docstring of a loaded package."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite the roles of ``pkg`` and all its members (Griffe event)."""
        _walk(pkg, set())
