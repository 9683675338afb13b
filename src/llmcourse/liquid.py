"""Render Jekyll-flavoured Liquid in lecture bodies (before Markdown).

One :class:`JekyllLiquid` environment is built per build (:func:`create_liquid_environment`)
and reused for every document; :func:`render_span` renders the Liquid span of one body (found
when the file was parsed, :func:`llmcourse.parse.liquid_span`; :func:`render_liquid` does both
for a text) and turns every Liquid problem into a :class:`ContentError` located in the source
file. The Jekyll tags live in
``liquid_tags.py``, the Jekyll filters in ``liquid_filters.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from liquid import BoundTemplate, Environment, Mode
from liquid.exceptions import LiquidError
from liquid.token import Token

from llmcourse.content import LiquidContext
from llmcourse.errors import ContentError, Diagnostic
from llmcourse.liquid_filters import FILTERS
from llmcourse.liquid_tags import TAGS, JekyllError, _include_error, describe_error, find_include
from llmcourse.model import LiquidSpan
from llmcourse.parse import liquid_span

__all__ = ["JekyllLiquid", "LiquidContext", "create_liquid_environment", "render_liquid",
           "render_span", "render_spans"]


class JekyllLiquid(Environment):
    """python-liquid configured like Jekyll: lax undefined, strict syntax, Jekyll tags/filters."""

    def __init__(self, ctx: LiquidContext) -> None:
        # The build's baseurl/url win over site.yaml (e.g. `serve` builds with baseurl "").
        site = {**ctx.site, "baseurl": ctx.baseurl, "url": ctx.url}
        super().__init__(tolerance=Mode.STRICT, strict_filters=True, globals={"site": site})
        self.ctx = ctx
        # Parsed includes, per environment (so per build and per process: no global state).
        self._includes: dict[str, tuple[BoundTemplate, str]] = {}
        # Parsed body spans by their text: course footers repeat the same few tags in every
        # lecture, and parsing them again was most of Liquid's share of a warm build
        self.spans: dict[str, BoundTemplate] = {}
        self.span_outputs: dict[str, str] = {}  # spans whose output is the same for every page
        for tag in TAGS:
            self.add_tag(tag)
        for name, func in FILTERS.items():
            self.add_filter(name, func)

    def error(self, exc: Any, msg: str | None = None, token: Token | None = None) -> None:
        # Errors at the end of an expression carry python-liquid's position-less EOF token;
        # the enclosing template token (passed here by the parser) at least gives the line.
        if (isinstance(exc, LiquidError) and token is not None and token.start_index >= 0
                and exc.token is not None and exc.token.start_index < 0):
            exc.token = token
        super().error(exc, msg, token)

    def load_include(self, name: str, token: Token) -> tuple[BoundTemplate, str]:
        """The parsed include ``name`` and its source; errors point at the include tag."""
        if name in self._includes:
            return self._includes[name]
        found = find_include(self.ctx.includes_dirs, name)
        if found is None:
            searched = ", ".join(str(d) for d in self.ctx.includes_dirs) or "no includes directory"
            raise JekyllError(
                f"include '{name}' not found", token=token, hint=f"searched {searched}"
            )
        source = found.read_text(encoding="utf-8")
        try:
            template = self.from_string(source, name=name, path=found)
        except LiquidError as err:
            raise _include_error(self, name, err, source, token) from None
        self._includes[name] = (template, source)
        return template, source


def create_liquid_environment(ctx: LiquidContext) -> JekyllLiquid:
    return JekyllLiquid(ctx)


def render_liquid(
    env: JekyllLiquid, text: str, *, path: str, line_offset: int, page: Mapping[str, Any]
) -> str:
    """Render ``text`` (a body starting at file line ``line_offset``) or raise ContentError."""
    span = liquid_span(text, line_offset)
    if span is None:
        return text  # most lectures: no Liquid, no parsing
    return text[:span.start] + render_span(env, span, path=path, page=page) + text[span.end:]


SpanJob = tuple[str, LiquidSpan, Mapping[str, Any]]  # file, its body's span, its ``page``


def render_spans(env: JekyllLiquid, jobs: list[SpanJob]) -> list[str | Diagnostic]:
    """Each job's output, or the diagnostic of its Liquid error."""
    results: list[str | Diagnostic] = []
    for path, span, page in jobs:
        try:
            results.append(render_span(env, span, path=path, page=page))
        except ContentError as exc:
            results.append(exc.diagnostic)
    return results


def render_span(env: JekyllLiquid, span: LiquidSpan, *, path: str, page: Mapping[str, Any]
                ) -> str:
    """What a body's Liquid span renders to (the text around it renders to itself), or
    ContentError located in the file."""
    source = span.source
    try:
        same_everywhere = env.span_outputs.get(source)
        if same_everywhere is not None:
            return same_everywhere
        template = env.spans.get(source)
        if template is None:
            template = env.spans[source] = env.from_string(source, path=path)
        rendered = template.render(page=page)
        if span.site_only:
            env.span_outputs[source] = rendered
        return rendered
    except LiquidError as err:
        line, message, hint = describe_error(env, err, source)
        if message == "unexpected liquid parsing error" and err.__cause__ is not None:
            message += f": {err.__cause__}"
        raise ContentError(path, span.line + line - 1 if line else 0, message, hint) from None
    except RecursionError:
        message = "Liquid recursion too deep (an include including itself?)"
        raise ContentError(path, 0, message) from None


