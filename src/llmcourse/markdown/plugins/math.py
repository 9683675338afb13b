"""TeX math rendered to MathML at build time: no script, no CDN, readable without JavaScript.

Only for lectures that ask for it (``math: true`` / ``mathjax: true`` in front matter, or
``math: true`` in site.yaml), passed as ``env["math"]``: elsewhere ``$`` is a dollar sign. The
parser rules are mdit-py-plugins' own (dollarmath for ``$...$`` / ``$$...$$``, texmath's
bracket rules for ``\\(...\\)`` / ``\\[...\\]``, amsmath environments), each wrapped so it
does nothing when the page's math is off; the one ``md`` serves every page.

A formula latex2mathml cannot convert is shown as its TeX source in ``<code>`` and reported as
a warning with its line; the build never fails for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_block
from mdit_py_plugins.dollarmath.index import math_block_dollar, math_inline_dollar
from mdit_py_plugins.texmath.index import make_block_func, make_inline_func, rules

# latex2mathml passes an unknown command through as <mi>\name</mi> instead of failing.
_UNKNOWN_COMMAND = re.compile(r">(\\[A-Za-z]+)<")


def tex_to_mathml(tex: str, display: bool) -> str:
    """TeX -> MathML; raises ValueError with a readable reason when the TeX is broken."""
    depth = 0
    escaped = False
    for char in tex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise ValueError("unbalanced '}'")
    if depth:
        raise ValueError("unbalanced '{'")
    from latex2mathml.converter import convert  # imported by the first formula

    try:
        mathml = convert(tex.strip(), display="block" if display else "inline")
    except Exception as exc:  # noqa: BLE001 - latex2mathml raises many unrelated types
        reason = str(exc) or type(exc).__name__
        raise ValueError(re.sub(r"(?<!^)(?=[A-Z])", " ", reason).lower()) from None
    unknown = _UNKNOWN_COMMAND.search(mathml)
    if unknown:
        raise ValueError(f"unknown command {unknown.group(1)}")
    return mathml


def _gated_inline(fn: Callable[[StateInline, bool], bool], first_chars: str
                  ) -> Callable[[StateInline, bool], bool]:
    def rule(state: StateInline, silent: bool) -> bool:
        return bool(state.env.get("math")) and fn(state, silent)
    rule.first_chars = first_chars  # type: ignore[attr-defined]  # see markdown/fast.py
    return rule


def _gated_block(fn: Callable[[StateBlock, int, int, bool], bool], first_chars: str
                 ) -> Callable[[StateBlock, int, int, bool], bool]:
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        return bool(state.env.get("math")) and fn(state, start, end, silent)
    rule.first_chars = first_chars  # type: ignore[attr-defined]  # see markdown/fast.py
    return rule


def _render(display: bool, wrap: bool = True) -> Callable[..., str]:
    def render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        try:
            mathml = tex_to_mathml(token.content, display)
        except ValueError as exc:
            line = token.map[0] if token.map else 0
            env.setdefault("warnings", []).append(
                (line, f"cannot convert math '{_short(token.content)}': {exc}"))
            code = f'<code class="math-source">{escape(token.content)}</code>'
            return f'<pre class="math-error">{code}</pre>\n' if display else code
        if display and wrap:
            return f'<div class="math-display">{mathml}</div>\n'
        return mathml
    return render


def _short(tex: str) -> str:
    tex = " ".join(tex.split())
    return tex if len(tex) <= 40 else tex[:37] + "..."


def _math_lines(state: StateCore) -> None:
    """Inline tokens have no line map: give math its paragraph's line, for warnings."""
    if not state.env.get("math"):
        return
    for block in state.tokens:
        # math tokens come from '$' or '\\(' in the paragraph's own text
        if (block.type == "inline" and block.children and block.map
                and ("$" in block.content or "\\" in block.content)):
            for child in block.children:
                if child.type.startswith("math"):
                    child.map = block.map


def math_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("escape", "math_inline",
                           _gated_inline(math_inline_dollar(True, False, True), "$"))
    md.block.ruler.before("fence", "math_block",
                          _gated_block(math_block_dollar(True, lambda s: re.sub(r"\s+", "-", s),
                                                         False), "$"))
    brackets = rules["brackets"]
    md.inline.ruler.before("escape", "math_inline_bracket",
                           _gated_inline(make_inline_func(brackets["inline"][0]), "\\"))
    # math_block only: the eqno variant "\[..\] (1)" is rare in lectures
    md.block.ruler.before("fence", "math_block_bracket",
                          _gated_block(make_block_func(brackets["block"][1]), "\\"))
    md.block.ruler.before("blockquote", "amsmath", _gated_block(amsmath_block, "\\"),
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.after("inline", "math_lines", _math_lines)
    for name in ("math_inline",):
        md.add_render_rule(name, _render(False))
    # $$..$$ inside a paragraph: a display formula, but no <div> (not allowed inside <p>)
    md.add_render_rule("math_inline_double", _render(True, wrap=False))
    for name in ("math_block", "math_block_label", "amsmath"):
        md.add_render_rule(name, _render(True))
