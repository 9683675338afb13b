"""markdown-it-py configured for speed, with exactly the output of its own rules.

Every function here changes how fast one ``MarkdownIt`` instance runs, never what it
produces: it wraps or re-orders markdown-it's own rules (through the ruler API) and per-instance
helpers, and each shortcut only skips work that provably cannot change the result (a rule
that cannot fire at this character, a regex that cannot match a text without these
characters). ``create_markdown`` applies them last, once every plugin has registered its
rules; ``benchmarks/bench_markdown.py`` measures them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from markdown_it import MarkdownIt, helpers, rules_block, rules_inline
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers.parse_link_destination import _Result as _LinkResult
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.footnote.index import footnote_def, footnote_inline, footnote_ref

# --- linkify ------------------------------------------------------------------------------
#
# The core linkify rule runs linkify-it's ``pretest`` on every paragraph and ``test`` on every
# text token of a paragraph that passes: large Unicode regexes, ~10 % of rendering, passed to
# ``re.search`` as strings (a cache lookup per call, and a recompile of the big patterns
# whenever 512 newer patterns pushed them out of ``re``'s cache). Here both use patterns
# compiled once, with two exact shortcuts:
#
# * a text can only match if it holds a schema (all of them contain ':' or '/'), a host
#   ('localhost', or a '.' in every other alternative of ``host_fuzzy_test``) or an e-mail
#   ('@'): one small regex with the same IGNORECASE semantics rules the rest out;
# * ``schema_test`` is ``(^|<one separator char>)(http:|https:|ftp:|//|mailto:)``: its
#   separator class is a huge Unicode class tried at every position. Instead, find each place
#   where a schema name starts (small regex) and test the one character before it.
#
# ``pretest`` is ``(schema_test)|(host_fuzzy_test)|@``, so it is true exactly when one of the
# three is; ``test`` is linkify-it 2.x's ``LinkifyIt.test`` with the same steps.

_LINKIFY_CANDIDATE = re.compile(r"[./:@]|localhost", re.IGNORECASE)


def _top_level_alternatives(pattern: str) -> list[str]:
    """``a|b(c|d)|[|]`` -> ["a", "b(c|d)", "[|]"]: split on '|' outside groups and classes."""
    parts, depth, in_class, escaped, start = [], 0, False, False, 0
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return parts


def _linkify_functions(linkify: Any) -> tuple[Callable[[str], bool], Callable[[str], bool]] | None:
    """(pretest, test) equivalent to ``linkify``'s, or None when its patterns are not the
    ones this reasoning was checked against (another linkify-it version or configuration)."""
    try:
        res, opts, compiled = linkify.re, linkify._opts, linkify._compiled
        schemas = [name for name, value in compiled.items() if name and value]
        prefix = "(?!_)(?:[><\uff5c]|" + res["src_ZPCc"] + ")"
        names = "|".join(re.sub(r"([.?*+^$[\]\\(){}|-])", r"\\\1", name) for name in schemas)
        if (res["schema_test"] != "(^|" + prefix + ")(" + names + ")"
                or res["schema_search"] != res["schema_test"]
                or res["pretest"] != "(" + res["schema_test"] + ")|(" + res["host_fuzzy_test"]
                + ")|@"
                or not all(":" in name or "/" in name for name in schemas)
                or not all(alt == "localhost" or alt.startswith(("www\\.", "\\.", "(?:\\."))
                           for alt in _top_level_alternatives(res["host_fuzzy_test"]))):
            return None
        flags = re.IGNORECASE
        schema_name = re.compile(names, flags).search
        separator = re.compile(prefix, flags).match
        schema_search = re.compile(res["schema_search"], flags).finditer
        host_fuzzy = re.compile(res["host_fuzzy_test"], flags).search
        link_fuzzy = re.compile(res["link_fuzzy" if opts.get("fuzzy_ip") else "link_no_ip_fuzzy"],
                                flags).search
        email_fuzzy = re.compile(res["email_fuzzy"], flags).search
        fuzzy_link = bool(opts.get("fuzzy_link") and compiled.get("http:"))
        fuzzy_email = bool(opts.get("fuzzy_email") and compiled.get("mailto:"))
        test_schema_at = linkify.test_schema_at
    except (AttributeError, KeyError, TypeError, re.error):
        return None
    candidate = _LINKIFY_CANDIDATE.search

    def schema_test(text: str) -> bool:
        start = 0
        while (found := schema_name(text, start)) is not None:
            at = found.start()
            if at == 0 or separator(text, at - 1):
                return True
            start = at + 1
        return False

    def pretest(text: str) -> bool:
        if candidate(text) is None:
            return False
        return "@" in text or schema_test(text) or host_fuzzy(text) is not None

    def test(text: str) -> bool:
        if not text or candidate(text) is None:
            return False
        if schema_test(text):
            for matched in schema_search(text):
                if test_schema_at(text, matched.group(2), matched.end(0)):
                    return True
        if fuzzy_link and host_fuzzy(text) and link_fuzzy(text):
            return True
        return bool(fuzzy_email and "@" in text and email_fuzzy(text))

    return pretest, test


def fast_linkify(md: MarkdownIt) -> None:
    """Faster ``pretest``/``test`` for this instance's LinkifyIt (``md.linkify`` is per
    instance; linkify-it's ``match``, which builds the links, is untouched)."""
    linkify = md.linkify
    functions = _linkify_functions(linkify) if linkify is not None else None
    if functions is not None:
        linkify.pretest, linkify.test = functions


# --- rule dispatch on the first character --------------------------------------------------------
#
# markdown-it tries every rule of a chain, in order, until one matches. Inline: at every
# position where the ``text`` rule stops (any ASCII punctuation), 17 calls for a '-' that no rule
# takes, 16 before ``html_inline`` sees a '<'. Block: at every line, 23 calls before
# ``paragraph`` takes an ordinary line, and ~16 more per continuation line (the paragraph's
# terminator chain). Most rules return False, without touching the state, unless the character
# where they start (``state.src[state.pos]`` inline, the line's first non-blank character in
# blocks) is one of theirs - read off each rule's opening check. A chain is compiled into one
# dispatcher that calls, in the ruler's order, only the rules that can start at that character
# (and every rule whose characters are unknown).

FIRST_CHARS: dict[Any, str] = {
    # inline
    rules_inline.linkify: ":",
    rules_inline.newline: "\n",
    rules_inline.escape: "\\",
    rules_inline.backtick: "`",
    rules_inline.strikethrough.tokenize: "~",
    rules_inline.emphasis.tokenize: "_*",
    rules_inline.link: "[",
    rules_inline.image: "!",
    rules_inline.autolink: "<",
    rules_inline.html_inline: "<",
    rules_inline.entity: "&",
    footnote_inline: "^",
    footnote_ref: "[",  # see _elsewhere
    # block (code, table, lheading, deflist, paragraph: any character)
    rules_block.fence: "~`",
    rules_block.blockquote: ">",
    rules_block.hr: "*-_",
    rules_block.list_block: "*-+0123456789",
    rules_block.reference: "[",
    rules_block.heading: "#",
    rules_block.html_block: "<",
    footnote_def: "[",
}


def first_chars(rule: Any) -> str | None:
    """The characters a rule can start at, or None when unknown (call it everywhere).
    Our own rules say so in a ``first_chars`` attribute."""
    if isinstance(rule, functools.partial) and not rule.args:
        rule = rule.func
    chars = getattr(rule, "first_chars", None)
    if chars is not None:
        return str(chars)
    if getattr(rule, "__qualname__", "") == "container_plugin.<locals>.container_func":
        return _closure_value(rule, "marker_char")  # ::: containers start with their marker
    try:
        return FIRST_CHARS.get(rule)
    except TypeError:  # unhashable callable
        return None


def _closure_value(fn: Any, name: str) -> str | None:
    try:
        value = fn.__closure__[fn.__code__.co_freevars.index(name)].cell_contents
    except (AttributeError, ValueError, IndexError, TypeError):
        return None
    return value if isinstance(value, str) and len(value) == 1 else None


def _elsewhere(rule: Any) -> Any:
    """What must still run where ``rule`` cannot start: nothing, except for footnote_ref,
    whose first step (before its '[' check) creates ``env["footnotes"]`` - which decides
    whether footnote_tail runs and what ``RenderedMarkdown.data`` holds."""
    base = rule.func if isinstance(rule, functools.partial) else rule
    if base is not footnote_ref:
        return None

    def footnote_env(state: StateInline, silent: bool) -> bool:
        if "footnotes" not in state.env:
            return bool(rule(state, silent))  # False: not at '['; sets up env["footnotes"]
        return False

    return footnote_env


def _dispatch_table(rules: list[Any]) -> tuple[dict[str, list[Any]], list[Any]]:
    """char -> the rules to try there, in order; and the list for any other character."""
    chars = [first_chars(rule) for rule in rules]
    elsewhere = [_elsewhere(rule) if known is not None else None
                 for rule, known in zip(rules, chars)]

    def candidates(char: str | None) -> list[Any]:
        out = []
        for rule, known, other in zip(rules, chars, elsewhere):
            if known is None or (char is not None and char in known):
                out.append(rule)
            elif other is not None:
                out.append(other)
        return out

    table = {char: candidates(char) for known in chars for char in known or ""}
    return table, candidates(None)


def dispatch_inline_rules(rules: list[Any]) -> Any:
    table, anywhere = _dispatch_table(rules)
    get = table.get

    def dispatch(state: StateInline, silent: bool) -> bool:
        try:
            found = get(state.src[state.pos], anywhere)
        except IndexError:
            found = rules
        for rule in found:
            if rule(state, silent):
                return True
        return False

    return dispatch


def dispatch_block_rules(rules: list[Any]) -> Any:
    table, anywhere = _dispatch_table(rules)
    get = table.get

    def dispatch(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        try:
            found = get(state.src[state.bMarks[startLine] + state.tShift[startLine]], anywhere)
        except IndexError:
            found = rules
        for rule in found:
            if rule(state, startLine, endLine, silent):
                return True
        return False

    return dispatch


def _hook_compile(ruler: Any, compile_chains: Callable[[dict[str, list[Any]]], None]) -> bool:
    """Rewrite the ruler's compiled chains each time it compiles them. The ruler keeps its
    rules: ``get_active_rules``, ``enable``/``disable``, ``at``, ``before``... work as before
    (each change recompiles). Only what ``getRules`` hands the parser is a dispatcher."""
    compile_rules = getattr(ruler, "__compile__", None)
    if compile_rules is None or not hasattr(ruler, "__cache__"):
        return False

    def compile_with_dispatch() -> None:
        compile_rules()
        if isinstance(ruler.__cache__, dict):
            compile_chains(ruler.__cache__)

    ruler.__compile__ = compile_with_dispatch
    ruler.__cache__ = None
    return True


def dispatch_inline(md: MarkdownIt) -> None:
    """The inline chain becomes ``[text, dispatch(other rules)]``: ``text`` takes every
    non-terminator character (as before); where it declines, the rest are dispatched."""
    def compile_chains(cache: dict[str, list[Any]]) -> None:
        for name, chain in cache.items():
            if chain and chain[0] is rules_inline.text:
                cache[name] = [chain[0], dispatch_inline_rules(chain[1:])]
            elif chain:
                cache[name] = [dispatch_inline_rules(chain)]

    _hook_compile(md.inline.ruler, compile_chains)


def dispatch_block(md: MarkdownIt) -> None:
    """Every block chain ("" and the terminator chains: paragraph, list...) dispatches."""
    def compile_chains(cache: dict[str, list[Any]]) -> None:
        for name, chain in cache.items():
            if chain:
                cache[name] = [dispatch_block_rules(chain)]

    _hook_compile(md.block.ruler, compile_chains)


# --- link destinations -------------------------------------------------------------------------
#
# markdown-it's parseLinkDestination walks a URL one character at a time (charCodeAt, ~25 % of
# link parsing). This one skips runs of ordinary characters with a regex and keeps its exact
# loop for the rest: blanks and controls end the URL, '\' escapes the next character, parens
# nest (at most 32 deep). ``<...>`` destinations go to markdown-it's own function.

_URL_RUN = re.compile(r"[^\x00-\x20\x7f\\()]+")


def parse_link_destination(string: str, pos: int, maximum: int) -> Any:
    if pos < len(string) and string[pos] == "<":
        return helpers.parseLinkDestination(string, pos, maximum)
    start = pos
    result = _LinkResult()
    level = 0
    run = _URL_RUN.match
    while pos < maximum:
        found = run(string, pos, maximum)
        if found is not None:
            pos = found.end()
            if pos >= maximum:
                break
        char = string[pos]
        if char == "\\":
            if pos + 1 < maximum:
                if string[pos + 1] == " ":
                    break
                pos += 2
            else:
                pos += 1
        elif char == "(":
            level += 1
            if level > 32:
                return result
            pos += 1
        elif char == ")":
            if level == 0:
                break
            level -= 1
            pos += 1
        else:  # a blank or a control character
            break
    if start == pos or level != 0:
        return result
    result.str = unescapeAll(string[start:pos])
    result.pos = pos
    result.ok = True
    return result


def fast_link_helpers(md: MarkdownIt) -> None:
    """This instance's link helpers (``md.helpers`` is per instance): the faster
    parseLinkDestination, markdown-it's own parseLinkLabel and parseLinkTitle."""
    md.helpers = SimpleNamespace(  # type: ignore[assignment]
        parseLinkDestination=parse_link_destination,
        parseLinkLabel=md.helpers.parseLinkLabel,
        parseLinkTitle=md.helpers.parseLinkTitle,
    )


# --- normalizeLink -----------------------------------------------------------------------------
#
# markdown-it's normalizeLink parses the URL (mdurl.parse), punycodes the host, formats it back
# and percent-encodes it: ~15 % of rendering a lecture whose links are new to the process. For
# the usual ``http(s)://host/path?query#hash`` - an ASCII host of [A-Za-z0-9-] labels and only
# characters mdurl.encode keeps (letters, digits, ``;/?:@&=+$,-_.!~*'()#`` and valid %XX) -
# every step gives back its input: parse splits exactly at '//', the first '/', '?' or '#'
# (no '@', ':' or other special character in the host), the host labels are valid, punycode
# leaves ASCII labels alone, format concatenates the same parts and encode keeps every
# character. So such a URL is its own normal form.

_PLAIN_URL = re.compile(
    r"https?://([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*)"
    r"(?:[/?#](?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]|%[0-9A-Fa-f]{2})*)?")


def plain_url_shortcut(normalize_link: Callable[[str], str]) -> Callable[[str], str]:
    """``normalize_link`` (markdown-it's ``md.normalizeLink``) that returns plain URLs as is."""
    fullmatch = _PLAIN_URL.fullmatch

    def normalizeLink(url: str) -> str:  # markdown-it's name
        plain = fullmatch(url)
        if plain is not None and len(plain.group(1)) <= 255:  # mdurl's HOSTNAME_MAX_LEN
            return url
        return normalize_link(url)

    return normalizeLink


# The shortcuts restate what these releases' rules do (which character each rule starts at,
# how a link destination ends): proven against them by tests/test_markdown_speed_equivalence,
# and left off with any other release, which then renders through its own rules unchanged.
CHECKED_RELEASES = {"markdown_it": "4.3.", "mdit_py_plugins": "0.7."}


def shortcuts_apply() -> bool:
    import markdown_it
    import mdit_py_plugins

    found = {"markdown_it": markdown_it.__version__, "mdit_py_plugins": mdit_py_plugins.__version__}
    return all(found[name].startswith(prefix) for name, prefix in CHECKED_RELEASES.items())


def speed_up(md: MarkdownIt) -> MarkdownIt:
    """Apply every shortcut to ``md`` (after all plugins are in place)."""
    if not shortcuts_apply():
        return md
    fast_linkify(md)
    dispatch_inline(md)
    dispatch_block(md)
    fast_link_helpers(md)
    return md
