"""Templates' `{{ value }}` escaped into plain text, not into a Markup per value.

Jinja compiles each `{{ value }}` of an autoescaped template to `escape(value)`: markupsafe makes
a Markup of every text, and of every Markup again (a copy), though the page only joins them.
An entity page writes about 150 values. `PlainEscapes` compiles them to `text(value)`, which
writes the same characters: a text escaped, a Markup as it is, anything else through `escape`
(`messages.escaped_text`, which filling a message uses too).
"""
from __future__ import annotations

from jinja2.compiler import CodeGenerator, Frame
from jinja2 import nodes

from ..messages import escaped_text as text  # what the compiled templates call


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
