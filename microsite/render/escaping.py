"""Templates' `{{ value }}` escaped into plain text, not into a Markup per value.

Jinja compiles each `{{ value }}` of an autoescaped template to `escape(value)`: markupsafe makes
a Markup of every text, and of every Markup again (a copy), though the page only joins them.
An entity page writes about 150 values. `PlainEscapes` compiles them to `text(value)`, which
writes the same characters: a text escaped, a Markup as it is, anything else through `escape`.
"""
from __future__ import annotations

from typing import Any

from jinja2.compiler import CodeGenerator, Frame
from jinja2 import nodes
from markupsafe import Markup, escape

try:  # markupsafe's own escaping of a text, without making a Markup of it
    from markupsafe._speedups import _escape_inner
except ImportError:  # its pure-Python build: the same five characters, in the same order
    def _escape_inner(s: str, /) -> str:
        return s.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")


def text(value: Any) -> str:
    """What `escape(value)` writes, as a plain string for the page to join."""
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is Markup:
        return value
    if kind is int:
        return str(value)
    return escape(value)


class PlainEscapes(CodeGenerator):
    """Jinja's compiler, writing a template's values with `text` where it would `escape` them."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        self.writeline("from microsite.render.escaping import text as escape_as_text")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("escape_as_text(")
        if finalize.src is not None:
            self.write(finalize.src)
