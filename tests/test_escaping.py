"""Templates write `{{ value }}` with `escaping.text`, not markupsafe's `escape`: the same
characters for every kind of value a template shows (`microsite/render/escaping.py`)."""
from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup, escape

from microsite.render.escaping import text
from microsite.render.pages import make_environment


class Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


VALUES = ["", "plain", "a & b < c > d 'e' \"f\"", "&amp; already", "ünïcødé ↩︎", Markup("<i>kept</i>"),
          Markup("a & b"), 0, 42, -7, True, None, 1.5, Html(), ("tuple", "<x>"), ["<list>"]]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_text_writes_what_escape_writes(value):
    assert text(value) == str(escape(value))


def test_templates_write_values_with_it(tmp_path: Path):
    (tmp_path / "page.html").write_text("{{ a }}|{{ b }}|{{ c }}|{% set d %}<{{ a }}>{% endset %}{{ d }}|{{ e|join(',') }}")
    env = make_environment([tmp_path])
    source = env.loader.get_source(env, "page.html")[0]
    assert "escape_as_text(" in env.compile(source, "page.html", raw=True)
    out = env.get_template("page.html").render(a="<&>", b=Markup("<em>"), c=3, e=["<", Markup("<")])
    assert out == "&lt;&amp;&gt;|<em>|3|<&lt;&amp;&gt;>|&lt;,<"
