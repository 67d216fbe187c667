"""Every text a page shows is escaped by one function, markupsafe's `escape` (Jinja's autoescape,
the interface messages and the map alike): the same characters everywhere, and no second escape
to drift from it."""
from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup

from microsite.messages import Messages
from microsite.render.graph import _e
from microsite.render.templates import make_environment

from tests.conftest import REPO

HOSTILE = "a & b < c > d 'e' \"f\""
ESCAPED = "a &amp; b &lt; c &gt; d &#39;e&#39; &#34;f&#34;"


def test_templates_messages_and_the_map_escape_alike(tmp_path: Path):
    (tmp_path / "page.html").write_text("{{ a }}|{{ b }}|{{ c }}")
    out = make_environment([tmp_path]).get_template("page.html").render(a=HOSTILE, b=Markup("<em>"), c=3)
    assert out == f"{ESCAPED}|<em>|3"
    messages = Messages("en", {"greeting": "Hello {name}"})
    assert messages("greeting", name=HOSTILE) == f"Hello {ESCAPED}"
    assert _e(HOSTILE) == ESCAPED


def test_the_engine_writes_no_escape_of_its_own():
    hand_written = re.compile(r"""replace\(\s*["']&["']\s*,\s*["']&amp;["']""")
    found = [p for p in (REPO / "microsite").rglob("*.py") if hand_written.search(p.read_text())]
    assert found == []


def test_the_engine_calls_no_other_library_s_escape():
    """markdown-it escapes the texts it renders itself; the engine's own code calls markupsafe's
    escape only (markdown-it's `escapeHtml` writes `"` as `&quot;`, markupsafe's as `&#34;`)."""
    others = re.compile(r"\bescapeHtml\b|\bhtml\.escape\b|from html import escape")
    found = [p.relative_to(REPO).as_posix() for p in (REPO / "microsite").rglob("*.py") if others.search(p.read_text())]
    assert found == []
