"""CONTRIBUTING.md lists every message a contributor can meet: each message the engine reports
(a problem, a warning, a usage error of `new` or `changes`) has its row, found by its longest fixed words."""
from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO

REPORTERS = {"error", "warning", "ScaffoldError", "Problem", "UsageError", "ChangesError"}


def _longest_fixed_words(node: ast.expr) -> str:
    """The longest literal piece of a message (an f-string's text between its placeholders)."""
    pieces: list[str] = []
    for part in ast.walk(node):
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            pieces.append(part.value)
    return max(pieces, key=len, default="")


def messages() -> list[tuple[str, str]]:
    found = []
    for path in sorted((REPO / "microsite").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            if name not in REPORTERS or not call.args:
                continue
            message = call.args[-1] if name in ("error", "warning", "Problem") else call.args[0]
            # Its first clause: the row may shorten what follows.
            words = _longest_fixed_words(message).split(";")[0].split(" (")[0][:60].strip(" ;:—'")
            if len(words) >= 12:
                found.append((f"{path.name}:{call.lineno}", words))
    return found


@pytest.mark.parametrize("where, words", messages())
def test_every_message_has_its_row_in_contributing(where: str, words: str):
    text = (REPO / "CONTRIBUTING.md").read_text().replace("\\\\", "\\")
    assert words in text, f"{where}: add the message '{words}' and what to do to CONTRIBUTING.md"
