"""HTML blocks that end where their element closes, as in kramdown.

CommonMark ends HTML blocks of types 6 and 7 (block tags such as ``<iframe>``, ``<p>``,
``<h3>``, and any complete tag alone on a line) only at a blank line, so a lecture line like
``<iframe ...></iframe>`` directly followed by ``![](figure.png)`` or ``### Next`` turns the
image or heading into raw text. kramdown ends the block with the line where the element
closes. This rule does the same: it tracks element nesting line by line and ends the block at
the end of the line where nesting returns to zero. Multi-line structures (``<table>`` ...
``</table>``, ``<details>`` ...) stay one block because nesting stays above zero.

Deliberate differences from kramdown, chosen so that no content is hidden:

* A blank line still ends the block (CommonMark/GitHub). kramdown keeps an unclosed element
  open to the end of the document and prints the Markdown inside ``<details>`` or ``<div>``
  as raw text; here that Markdown renders, as it does on GitHub.
* Blocks end at a line boundary, never mid-line: ``<div>a</div> *b*`` stays raw HTML
  (kramdown would render ``*b*`` as a new paragraph).

Types 1-5 (script/pre/style/textarea, comments, processing instructions, declarations,
CDATA) keep CommonMark's behaviour: they are delegated to markdown-it's own rule.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block.html_block import HTML_SEQUENCES, html_block
from markdown_it.rules_block.state_block import StateBlock

# Elements that never have content, so they never open a nesting level.
VOID_ELEMENTS = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
})
# Elements whose content is text, not tags: skip to their end tag.
_RAW_TEXT_ELEMENTS = frozenset({"script", "style", "textarea"})

# One tag from '<' up to its '>'. The alternatives start with distinct characters and the
# final '>' is optional, so the match never backtracks; a missing '>' means the tag (or a
# quoted attribute) continues on the next line.
_TAG_RE = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)(>?)""")

# A tag or comment still unfinished after this many characters is not worth re-scanning on
# every further line (quadratic); the block then falls back to ending at a blank line.
_MAX_CARRY = 4096

_FIRST_BLANK_LINE_TYPE = 5  # HTML_SEQUENCES[5:] are types 6 and 7, which end at a blank line


class ElementNesting:
    """Open elements of an HTML block, fed one line at a time."""

    __slots__ = ("stack", "carry", "raw_end", "gave_up")

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.carry = ""  # an unfinished tag or comment, continued by the next line
        self.raw_end = ""  # "</script" while inside a raw-text element
        self.gave_up = False  # True: never closed, end at a blank line like CommonMark

    @property
    def closed(self) -> bool:
        return not (self.stack or self.carry or self.raw_end or self.gave_up)

    def feed(self, line: str) -> None:
        if self.gave_up:
            return
        if len(self.carry) > _MAX_CARRY:
            self.gave_up = True
            return
        text = f"{self.carry}\n{line}" if self.carry else line
        self.carry = ""
        pos = 0
        end = len(text)
        while pos < end:
            if self.raw_end:
                found = text.lower().find(self.raw_end, pos)
                if found < 0:
                    return
                self.raw_end = ""
                pos = found
            pos = text.find("<", pos)
            if pos < 0:
                return
            pos = self._tag(text, pos)
            if pos < 0:
                return

    def _tag(self, text: str, pos: int) -> int:
        """Apply the tag at ``text[pos] == '<'``; return where scanning resumes (-1: stop)."""
        if text.startswith("<!--", pos):
            close = text.find("-->", pos + 4)
            return self._resume_after(text, pos, close, 3)
        if text.startswith(("<!", "<?"), pos):
            return self._resume_after(text, pos, text.find(">", pos + 2), 1)
        match = _TAG_RE.match(text, pos)
        if match is None:  # a lone '<' in text, e.g. "a < b"
            return pos + 1
        if not match.group(4):
            self.carry = text[pos:]
            return -1
        name = match.group(2).lower()
        if match.group(1):
            self._close(name)
        elif name not in VOID_ELEMENTS and not match.group(3).endswith("/"):
            self.stack.append(name)
            if name in _RAW_TEXT_ELEMENTS:
                self.raw_end = f"</{name}"
        return match.end()

    def _resume_after(self, text: str, pos: int, close: int, close_len: int) -> int:
        if close < 0:
            self.carry = text[pos:]
            return -1
        return close + close_len

    def _close(self, name: str) -> None:
        # An end tag closes its element and any children left open (optional end tags such
        # as </td>, </li>, </p>); a stray end tag is ignored.
        stack = self.stack
        if name not in stack:
            return
        while stack.pop() != name:
            pass


def _sequence_index(line: str) -> int:
    for index, (opener, _closer, _interrupts) in enumerate(HTML_SEQUENCES):
        if opener.search(line):
            return index
    return -1


def kramdown_html_block(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """markdown-it's html_block, except types 6/7 end where their outermost element closes."""
    if state.is_code_block(startLine) or not state.md.options.get("html", None):
        return False
    pos = state.bMarks[startLine] + state.tShift[startLine]
    maximum = state.eMarks[startLine]
    if not state.src.startswith("<", pos, maximum):
        return False
    line = state.src[pos:maximum]
    index = _sequence_index(line)
    if index < 0:
        return False
    if index < _FIRST_BLANK_LINE_TYPE:
        return html_block(state, startLine, endLine, silent)
    if silent:
        return HTML_SEQUENCES[index][2]

    nesting = ElementNesting()
    nextLine = startLine
    while True:
        nesting.feed(line)
        nextLine += 1
        if nesting.closed or nextLine >= endLine:
            break
        # Same stops as CommonMark: a blank line, or a line outdented out of the container.
        if state.sCount[nextLine] < state.blkIndent or state.isEmpty(nextLine):
            break
        line = state.src[state.bMarks[nextLine] + state.tShift[nextLine]:state.eMarks[nextLine]]

    state.line = nextLine
    token = state.push("html_block", "", 0)
    token.map = [startLine, nextLine]
    token.content = state.getLines(startLine, nextLine, state.blkIndent, True)
    return True


kramdown_html_block.first_chars = "<"  # type: ignore[attr-defined]  # see markdown/fast.py


def kramdown_html_plugin(md: MarkdownIt) -> None:
    """Replace markdown-it's ``html_block`` rule (same name, same interruptible rules)."""
    md.block.ruler.at("html_block", kramdown_html_block,
                      {"alt": ["paragraph", "reference", "blockquote"]})
