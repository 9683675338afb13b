"""Jekyll's Liquid tags for python-liquid: highlight, link, post_url and Jekyll-style include.

Also :func:`describe_error`, which turns a python-liquid error into ``(line, message, hint)``
relative to a given source; both ``liquid.py`` and the include tag (for errors inside an
included file) use it.
"""

from __future__ import annotations

import re
import sys
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from liquid.ast import BlockNode, Node
from liquid.builtin.expressions import parse_primitive
from liquid.builtin.expressions._tokenize import tokenize
from liquid.exceptions import ContextDepthError, LiquidError, LiquidSyntaxError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG, Token

if TYPE_CHECKING:
    from liquid import BoundTemplate
    from liquid.context import RenderContext
    from liquid.expression import Expression

    from llmcourse.liquid import JekyllLiquid


class JekyllError(LiquidError):
    """A problem found by one of our tags or filters; ``hint`` reaches the Diagnostic."""

    def __init__(self, message: str, *, token: Token | None, hint: str | None = None) -> None:
        super().__init__(message, token=token)
        self.hint = hint


class JekyllSyntaxError(JekyllError, LiquidSyntaxError):
    """Raised while parsing: python-liquid only passes syntax errors through ``from_string``."""


# Jekyll tags people commonly paste that we do not implement: say so instead of "unknown".
_UNSUPPORTED_HINTS = {
    "include_relative": "include_relative is not supported; move the file to _includes",
    "gist": "the jekyll-gist plugin is not supported; link to the gist instead",
    "seo": "jekyll-seo-tag belongs in layouts, not in content",
    "feed_meta": "jekyll-feed belongs in layouts, not in content",
}
_INNER_TAGS = frozenset({"else", "elsif", "when", "endraw", "endcomment", "enddoc"})
_UNCLOSED = re.compile(r"expected tag (end\w+), found end of expression")
_UNEXPECTED = re.compile(r"unexpected tag '([^']*)'")


def line_of(token: Token | None, source: str) -> int:
    """1-based line of ``token`` in ``source``; 0 when the token is not from ``source``."""
    if token is None or token.start_index < 0 or token.source != source:
        return 0
    # Count "\n" only (not str.splitlines' other separators) to match file line numbers.
    return source.count("\n", 0, token.start_index) + 1


def _unclosed_block(env: JekyllLiquid, source: str, opener: str | None) -> tuple[str, int]:
    """``(name, line)`` of the innermost block tag without its end tag (``opener`` if given)."""
    ends = {tag.end: name for name, tag in env.tags.items() if tag.block and tag.end}
    stack: list[tuple[str, int]] = []
    for token in env.tokenizer()(source):
        if token.kind != TOKEN_TAG:
            continue
        if token.value in ends.values():
            stack.append((token.value, line_of(token, source)))
        elif token.value in ends and stack and stack[-1][0] == ends[token.value]:
            stack.pop()
    open_blocks = [entry for entry in stack if opener in (None, entry[0])]
    return open_blocks[-1] if open_blocks else (opener or "", source.count("\n") + 1)


def describe_error(env: JekyllLiquid, err: LiquidError, source: str) -> tuple[int, str, str | None]:
    """``(line, message, hint)`` for ``err`` raised while parsing/rendering ``source``."""
    message = str(err.message) if err.message is not None else type(err).__name__
    line = line_of(err.token, source)
    hint = getattr(err, "hint", None)
    if match := _UNCLOSED.fullmatch(message):
        # python-liquid reports the EOF token (no position); the opening tag is more useful.
        name, line = _unclosed_block(env, source, match.group(1)[3:])
        return line, f"unexpected end of input, expected end{name}", f"'{name}' is never closed"
    if message == "unexpected tag 'end of expression'":  # an unclosed case/when
        name, line = _unclosed_block(env, source, None)
        return line, f"unexpected end of input, expected end{name}", f"'{name}' is never closed"
    if match := _UNEXPECTED.fullmatch(message):
        name = match.group(1)
        known = set(env.tags) | {f"end{t}" for t in env.tags} | _INNER_TAGS
        if name == "raw":
            # The lexer only recognizes raw...endraw as a pair; a lone raw is unclosed.
            return line, "unexpected end of input, expected endraw", "'raw' is never closed"
        if name not in known:
            return line, f"unknown tag '{name}'", _UNSUPPORTED_HINTS.get(name, hint)
    return line, message, hint


# --- highlight ---------------------------------------------------------------------------

_HIGHLIGHT_SYNTAX = re.compile(r"([a-zA-Z0-9.+#_-]+)\s*(.*)", re.DOTALL)


class HighlightNode(Node):
    __slots__ = ("block", "lang", "newline_after")

    def __init__(self, token: Token, lang: str, block: BlockNode, newline_after: bool) -> None:
        super().__init__(token)
        self.lang = lang
        self.block = block
        self.newline_after = newline_after
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        inner = StringIO()
        self.block.render(context, inner)
        # Jekyll strips leading/trailing line terminators of the body.
        code = inner.getvalue().strip("\r\n")
        # A fence longer than any backtick run inside, so the code cannot close it.
        runs = [len(r) for r in re.findall(r"`+", code)]
        fence = "`" * max(3, max(runs, default=0) + 1)
        # Fences must be on their own lines: Jekyll allows the tags mid-line (its output is
        # inline HTML), and `-%}` whitespace control eats the newlines around them.
        written = buffer.getvalue() if isinstance(buffer, StringIO) else ""
        before = "\n" if written and not written.endswith("\n") else ""
        after = "\n" if self.newline_after else ""
        return buffer.write(f"{before}{fence}{self.lang}\n{code}\n{fence}{after}")


def _needs_newline_after(end: Token) -> bool:
    """Whether text follows ``{% endhighlight %}`` on its line (or ``-%}`` strips the newline)."""
    close = end.source.find("%}", end.start_index)
    tail = end.source[close + 2 :]
    strips = end.source[close - 1] == "-"
    return bool(tail) and (strips or not tail.startswith(("\n", "\r")))


class HighlightTag(Tag):
    """``{% highlight LANG [linenos] %}...{% endhighlight %}`` -> a fenced code block.

    Like Jekyll, Liquid in the body is rendered (authors wrap literal Liquid in raw); the
    Markdown stage then highlights the fence. Options such as linenos are accepted and dropped.
    """

    name = sys.intern("highlight")
    end = sys.intern("endhighlight")
    block = True

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        markup = ""
        if stream.current.kind == TOKEN_EXPRESSION:
            markup = stream.current.value
            next(stream)
        match = _HIGHLIGHT_SYNTAX.fullmatch(markup.strip())
        if match is None:
            raise JekyllSyntaxError(
                "highlight tag needs a language",
                token=token,
                hint="use {% highlight python %} ... {% endhighlight %}",
            )
        block = get_parser(self.env).parse_block(stream, (self.end, TOKEN_EOF))
        end = stream.expect(TOKEN_TAG, value=self.end)
        return HighlightNode(token, match.group(1), block, _needs_newline_after(end))


# --- link and post_url ------------------------------------------------------------------


def _markup(stream: TokenStream, token: Token, usage: str) -> str:
    if stream.current.kind != TOKEN_EXPRESSION:
        raise JekyllSyntaxError(f"{token.value} tag needs an argument", token=token, hint=usage)
    # Leave the expression as the current token: the parser advances past it.
    return stream.current.value.strip()


def _sub_template(env: Any, markup: str, token: Token) -> BoundTemplate:
    """Parse the ``{{ }}`` inside a tag's argument; errors point at the tag."""
    try:
        return env.from_string(markup)
    except LiquidError as err:
        raise JekyllSyntaxError(
            f"invalid {token.value} argument '{markup}': {err.message}", token=token
        ) from None


def _render_sub(template: BoundTemplate, context: RenderContext, token: Token) -> str:
    """Render a tag argument's ``{{ }}`` in the current scope; errors point at the tag."""
    inner = StringIO()
    try:
        template.render_with_context(context, inner, partial=True)
    except LiquidError as err:
        raise JekyllError(f"in {token.value} argument: {err.message}", token=token) from None
    return inner.getvalue().strip()


class _UrlNode(Node):
    """Shared render logic: the markup may contain ``{{ }}`` (Jekyll 4 allows it)."""

    __slots__ = ("markup", "template")

    def __init__(self, token: Token, markup: str, template: BoundTemplate | None) -> None:
        super().__init__(token)
        self.markup = markup
        self.template = template
        self.blank = False

    def target(self, context: RenderContext) -> str:
        if self.template is None:
            return self.markup
        return _render_sub(self.template, context, self.token)

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        env: JekyllLiquid = context.env  # type: ignore[assignment]
        url = self.lookup(env, self.target(context))
        return buffer.write(env.ctx.baseurl.rstrip("/") + url)

    def lookup(self, env: JekyllLiquid, target: str) -> str:
        raise NotImplementedError


class LinkNode(_UrlNode):
    def lookup(self, env: JekyllLiquid, target: str) -> str:
        urls = env.ctx.urls_by_source
        for key in (target, target.lstrip("/")):
            if key in urls:
                return urls[key]
        raise JekyllError(
            f"link target '{target}' not found",
            token=self.token,
            hint="link takes a source path relative to the site root",
        )


class PostUrlNode(_UrlNode):
    def lookup(self, env: JekyllLiquid, target: str) -> str:
        posts = env.ctx.post_urls
        # Jekyll accepts "subdir/name"; our keys are file stems, so fall back to the basename.
        stem = target.removesuffix(".md").removesuffix(".markdown")
        for key in (stem, stem.rsplit("/", 1)[-1]):
            if key in posts:
                return posts[key]
        raise JekyllError(
            f"post '{target}' not found",
            token=self.token,
            hint="post_url takes a post file name without extension, e.g. 2025-09-14-LLM",
        )


class _UrlTag(Tag):
    block = False
    node_class: type[_UrlNode] = _UrlNode
    usage = ""

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        markup = _markup(stream, token, self.usage)
        template = _sub_template(self.env, markup, token) if "{{" in markup else None
        return self.node_class(token, markup, template)


class LinkTag(_UrlTag):
    name = sys.intern("link")
    node_class = LinkNode
    usage = "{% link lectures/2025-09-14-LLM.md %}"


class PostUrlTag(_UrlTag):
    name = sys.intern("post_url")
    node_class = PostUrlNode
    usage = "{% post_url 2025-09-14-LLM %}"


# --- include (Jekyll syntax) ------------------------------------------------------------

# Jekyll's own grammar (jekyll/tags/include.rb).
_PARAM = re.compile(
    r"""([\w-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'|([\w.-]+))"""
)
_PARAMS = re.compile(rf"\s*(?:{_PARAM.pattern}(?=\s|\Z)\s*)*\Z")
_VARIABLE_FILE = re.compile(r"([^{]*(\{\{\s*[\w\-.]+\s*(\|.*)?\}\}[^\s{}]*)+)(.*)", re.DOTALL)
_VALID_FILE = re.compile(r"[\w/.\-()+~#@]+")
_INVALID_SEQ = re.compile(r"[./]{2,}")
_INCLUDE_USAGE = "{% include file.html param='value' param2=page.title %}"


class IncludeNode(Node):
    __slots__ = ("file", "file_template", "params")

    def __init__(
        self,
        token: Token,
        file: str,
        file_template: BoundTemplate | None,
        params: list[tuple[str, Expression | str]],
    ) -> None:
        super().__init__(token)
        self.file = file
        self.file_template = file_template
        self.params = params
        self.blank = False

    def _name(self, context: RenderContext) -> str:
        if self.file_template is None:
            return self.file
        name = _render_sub(self.file_template, context, self.token)
        _check_file_name(name, self.token)
        return name

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        env: JekyllLiquid = context.env  # type: ignore[assignment]
        name = self._name(context)
        template, source = env.load_include(name, self.token)
        namespace: dict[str, Any] = {}
        if self.params:
            namespace["include"] = {
                key: value if isinstance(value, str) else value.evaluate(context)
                for key, value in self.params
            }
        try:
            with context.extend(namespace, template=template):
                template.render_with_context(context, buffer, partial=True)
        except IncludeRecursionError as err:
            err.token = self.token  # re-locate at each level, up to the document's tag
            raise
        except ContextDepthError:
            raise IncludeRecursionError(
                f"include '{name}' is nested too deeply", token=self.token,
                hint="does it include itself?") from None
        except LiquidError as err:  # nested includes wrap again: "in include 'a' ...: in ..."
            raise _include_error(env, name, err, source, self.token) from None
        return 1


class JekyllIncludeError(JekyllError):
    """An error inside an included file, re-located at the include tag of the document."""


class IncludeRecursionError(JekyllError):
    """Include depth exceeded; reported once, not wrapped at every level."""


def _include_error(
    env: JekyllLiquid, name: str, err: LiquidError, source: str, token: Token
) -> JekyllIncludeError:
    line, message, hint = describe_error(env, err, source)
    where = f"in include '{name}'" + (f" line {line}" if line else "")
    return JekyllIncludeError(f"{where}: {message}", token=token, hint=hint)


def _check_file_name(name: str, token: Token) -> None:
    if not _VALID_FILE.fullmatch(name) or _INVALID_SEQ.search(name):
        raise JekyllSyntaxError(
            f"invalid include file name '{name}'",
            token=token,
            hint="names may not contain '..', '//' or spaces",
        )


def _parse_params(env: JekyllLiquid, markup: str, token: Token) -> list[tuple[str, Any]]:
    if not _PARAMS.fullmatch(markup):
        raise JekyllSyntaxError(
            f"invalid include parameters '{markup}'", token=token, hint=_INCLUDE_USAGE
        )
    params: list[tuple[str, Any]] = []
    for match in _PARAM.finditer(markup):
        key, double, single, variable = match.groups()
        if double is not None:
            params.append((key, double.replace('\\"', '"')))
        elif single is not None:
            params.append((key, single.replace("\\'", "'")))
        else:
            # Unquoted values are variable lookups in Jekyll (param=page.title).
            tokens = TokenStream(tokenize(variable, parent_token=token))
            params.append((key, parse_primitive(env, tokens)))
    return params


class JekyllIncludeTag(Tag):
    """Jekyll's include: unquoted file name, ``key=value`` parameters as ``include.key``."""

    name = sys.intern("include")
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        markup = _markup(stream, token, _INCLUDE_USAGE)
        env: JekyllLiquid = self.env  # type: ignore[assignment]
        if match := _VARIABLE_FILE.fullmatch(markup):
            file, rest = match.group(1).strip(), match.group(4).strip()
            template: BoundTemplate | None = _sub_template(env, file, token)
        else:
            file, *more = markup.split(None, 1)
            rest = more[0] if more else ""
            template = None
            _check_file_name(file, token)
        return IncludeNode(token, file, template, _parse_params(env, rest.strip(), token))


def find_include(dirs: tuple[Path, ...], name: str) -> Path | None:
    """The first ``dir/name`` that is a file; ``name`` was validated (no ``..``)."""
    for directory in dirs:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


TAGS: tuple[type[Tag], ...] = (HighlightTag, LinkTag, PostUrlTag, JekyllIncludeTag)
