"""Detect and repair mojibake: UTF-8 text that was decoded as a Windows code page (or Latin-1).

The damage this module undoes is worse than ftfy's usual case: when UTF-8 was decoded as
Windows-1252/1254, the bytes those code pages leave undefined (0x81 0x8D 0x8E 0x8F 0x90 0x9D
0x9E) and the soft hyphen 0xAD were *dropped*, so about one Chinese character in five lost a
byte. The repair turns each run of suspicious characters back into bytes, uses the UTF-8 lead
bytes (which are never lost) to find how many continuation bytes each character is missing,
enumerates the characters those gaps allow, and lets a Chinese language model choose
(:mod:`llmcourse.zh_model`), in a second pass helped by what the document itself says
(:class:`_DocCache`). Choices the model is not sure of are reported, never hidden.

All functions here are pure: no I/O.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from . import zh_model
from .source_decoding import decode_legacy, decode_source
from .zh_model import Unit, is_emoji

__all__ = [
    "RepairResult", "Undecided", "decode_legacy", "decode_source", "looks_mojibake",
    "mojibake_score", "repair_text",
]

# Byte values a Windows code page decoder drops (undefined in cp1252/cp1254) plus the soft
# hyphen, which is invisible and gets stripped by text pipelines.
LOSABLE_BYTES: tuple[int, ...] = (0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD)

# Decisions whose max-marginal log-score beats the runner-up by less than this are reported
# as undecided (a factor of ~8 in probability).
MIN_MARGIN = math.log(8.0)


def _char_to_byte_table() -> dict[str, int]:
    """Every character a byte 0x80-0xFF can turn into under cp1252, cp1254 or Latin-1."""
    table: dict[str, int] = {}
    for encoding in ("latin-1", "cp1252", "cp1254"):
        for byte in range(0x80, 0x100):
            try:
                table.setdefault(bytes([byte]).decode(encoding), byte)
            except UnicodeDecodeError:
                continue
    return table


_TO_BYTE = _char_to_byte_table()
_RUN_RE = re.compile("[" + "".join(re.escape(ch) for ch in sorted(_TO_BYTE)) + "]+")


@dataclass(frozen=True)
class Undecided:
    """A character the repair could not choose with confidence (``candidates`` best first)."""

    line: int
    column: int
    snippet: str
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class RepairResult:
    text: str
    undecided: tuple[Undecided, ...] = ()
    repaired: int = 0  # characters decoded from intact mojibake sequences
    restored: int = 0  # characters rebuilt from sequences that had lost bytes

    @property
    def changed(self) -> bool:
        return bool(self.repaired or self.restored)


@dataclass(frozen=True)
class _Group:
    """One would-be UTF-8 character inside a run: its bytes and how many are missing."""

    raw: bytes
    missing: int
    start: int  # index of its first character in the run
    end: int


# ---------------------------------------------------------------------------------------------
# Parsing runs of suspicious characters back into UTF-8 byte groups


def _sequence_length(lead: int) -> int:
    """Bytes in a UTF-8 sequence starting with ``lead``; 0 if it cannot start one."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _parse_run(run: str) -> list[_Group] | None:
    """Split a run into UTF-8 byte groups, or None if it cannot be UTF-8 that lost bytes.

    Lost bytes are all continuation bytes, so every character still starts with its lead byte;
    a stray continuation byte or a group with too many continuation bytes means this run is
    not mojibake (e.g. a real "café" or “quotes”).
    """
    data = bytes(_TO_BYTE[ch] for ch in run)
    groups: list[_Group] = []
    i = 0
    while i < len(data):
        size = _sequence_length(data[i])
        if size == 0:
            return None
        j = i + 1
        while j < len(data) and 0x80 <= data[j] <= 0xBF:
            j += 1
        if j - i > size:
            return None
        groups.append(_Group(data[i:j], size - (j - i), i, j))
        i = j
    return groups


def _decode_complete(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if zh_model.category_ok(text) else None


def _candidates(group: _Group, lost: tuple[int, ...]) -> list[str]:
    """Every plausible character whose UTF-8 form is ``group.raw`` with lost bytes put back."""
    size = len(group.raw) + group.missing
    lead, rest = group.raw[:1], group.raw[1:]
    found: dict[str, None] = {}  # ordered set
    for slots in itertools.combinations(range(size - 1), group.missing):
        for values in itertools.product(lost, repeat=group.missing):
            tail = bytearray(rest)
            for slot, value in zip(slots, values):
                tail.insert(slot, value)
            ch = _decode_complete(lead + bytes(tail))
            if ch is not None:
                found[ch] = None
    return list(found)


def _lost_bytes(text: str) -> tuple[int, ...]:
    """The losable bytes this text really lost: one that still appears somewhere was kept."""
    present = {_TO_BYTE[ch] for ch in set(text) if ch in _TO_BYTE}
    return tuple(b for b in LOSABLE_BYTES if b not in present)


# ---------------------------------------------------------------------------------------------
# Detection


@dataclass(frozen=True)
class _Stats:
    confirmed: int  # groups in runs that contain at least one intact multi-byte sequence
    unconfirmed: int  # groups in well-formed runs with nothing intact (e.g. a lone "é")
    other: int  # non-ASCII characters that are not mojibake-shaped


def _stats(text: str) -> _Stats:
    confirmed = unconfirmed = 0
    in_runs = 0
    for match in _RUN_RE.finditer(text):
        groups = _parse_run(match.group())
        if groups is None:
            continue
        in_runs += len(match.group())
        if any(g.missing == 0 and _decode_complete(g.raw) for g in groups):
            confirmed += len(groups)
        else:
            unconfirmed += len(groups)
    if not confirmed:  # clean text (every build checks every file): skip the count below
        return _Stats(0, unconfirmed, 0)
    other = len(text) - len(text.encode("ascii", "ignore")) - in_runs  # non-ASCII characters
    return _Stats(confirmed, unconfirmed, other)


def mojibake_score(text: str) -> float:
    """Share (0..1) of the non-ASCII characters that look like UTF-8 decoded as cp1252/latin-1."""
    stats = _stats(text)
    if not stats.confirmed:
        return 0.0
    return stats.confirmed / (stats.confirmed + stats.unconfirmed + stats.other)


def looks_mojibake(text: str) -> bool:
    """True if the text is mostly mojibake (cheap for ASCII or clean UTF-8 text)."""
    if text.isascii():
        return False
    return mojibake_score(text) >= 0.3


# ---------------------------------------------------------------------------------------------
# Repair


@dataclass
class _Draft:
    """The repaired text as characters, plus the damaged positions still to be chosen."""

    chars: list[str]
    slots: dict[int, list[str]]  # position in chars -> candidates
    repaired: int = 0
    unresolvable: int = 0


def _draft(text: str, whole_document: bool) -> _Draft:
    lost = _lost_bytes(text)
    draft = _Draft([], {})
    pos = 0
    for match in _RUN_RE.finditer(text):
        draft.chars.extend(text[pos : match.start()])
        pos = match.end()
        run = match.group()
        groups = _parse_run(run)
        intact = groups is not None and any(
            g.missing == 0 and _decode_complete(g.raw) for g in groups
        )
        if groups is None or not (intact or whole_document):
            draft.chars.extend(run)
            continue
        for group in groups:
            _add_group(draft, group, run, lost)
    draft.chars.extend(text[pos:])
    return draft


def _add_group(draft: _Draft, group: _Group, run: str, lost: tuple[int, ...]) -> None:
    if group.missing == 0:
        ch = _decode_complete(group.raw)
        if ch is None:  # an impossible sequence (overlong, surrogate): keep it as it was
            draft.chars.extend(run[group.start : group.end])
            return
        draft.chars.append(ch)
        draft.repaired += 1
        return
    candidates = _candidates(group, lost)
    draft.slots[len(draft.chars)] = candidates
    draft.chars.append(candidates[0] if candidates else "\ufffd")


def repair_text(text: str) -> RepairResult:
    """Undo cp1252/cp1254/latin-1 mojibake, rebuilding characters that lost bytes.

    Text that is not mojibake (ASCII, Markdown, URLs, clean UTF-8) comes back unchanged.
    """
    if text.isascii():
        return RepairResult(text)
    draft = _draft(text, whole_document=looks_mojibake(text))
    if not draft.slots:
        return RepairResult("".join(draft.chars), (), draft.repaired, 0)
    # Judge the script on the decoded characters: the input itself holds no Han at all.
    undecided = _choose(draft, zh_model.guess_script("".join(draft.chars)))
    return RepairResult("".join(draft.chars), tuple(undecided), draft.repaired, len(draft.slots))


def _choose(draft: _Draft, script: str) -> list[Undecided]:
    """Fill every damaged slot with the model's choice; return those it was not sure of.

    Two passes. The first ranks each line with the global model alone. Its results and the
    characters that came through intact make a document cache (:class:`_DocCache`); the
    second pass re-ranks the lines that still hold a close call with the cache's opinion
    added as a prior.
    """
    model = zh_model.load_model()
    lines = _slot_lines(draft)
    rankings: dict[int, list[tuple[str, float]]] = {}
    for line in lines:
        rankings.update(_rank_line(draft, model, script, line, None))
    cache = _DocCache.build(draft, rankings, model)
    for line in lines:
        if any(_margin(rankings[pos]) < _RERANK_BELOW for pos in line.slots):
            rankings.update(_rank_line(draft, model, script, line, cache))
    undecided = []
    for line in lines:
        for pos in line.slots:
            ranked = rankings[pos]
            if draft.chars[pos] == "\ufffd" or _margin(ranked) < MIN_MARGIN:
                undecided.append(_undecided(draft.chars, line.start, line.end, pos,
                                            line.number, ranked))
    return undecided


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    number: int
    slots: tuple[int, ...]


def _slot_lines(draft: _Draft) -> list[_Line]:
    """The lines that hold damaged slots; lines are the language model's context."""
    chars = draft.chars
    lines = []
    line_start, line_no = 0, 1
    slot_positions = sorted(draft.slots)
    k = 0
    while k < len(slot_positions):
        pos = slot_positions[k]
        while True:
            newline = _index(chars, "\n", line_start)
            if newline is None or newline > pos:
                break
            line_start, line_no = newline + 1, line_no + 1
        line_end = _index(chars, "\n", line_start)
        line_end = len(chars) if line_end is None else line_end
        in_line = []
        while k < len(slot_positions) and slot_positions[k] < line_end:
            in_line.append(slot_positions[k])
            k += 1
        lines.append(_Line(line_start, line_end, line_no, tuple(in_line)))
    return lines


def _margin(ranked: list[tuple[str, float]]) -> float:
    return ranked[0][1] - ranked[1][1] if len(ranked) > 1 else math.inf


def _index(chars: list[str], ch: str, start: int) -> int | None:
    try:
        return chars.index(ch, start)
    except ValueError:
        return None


def _rank_line(draft: _Draft, model: zh_model.ZhModel, script: str, line: _Line,
               cache: _DocCache | None) -> dict[int, list[tuple[str, float]]]:
    """Rank the candidates of every slot in ``line`` and put the best into the text."""
    chars = draft.chars
    units = []
    for pos in range(line.start, line.end):
        cands = draft.slots.get(pos)
        if cands is None:
            units.append(Unit((chars[pos],), (0.0,)))
        elif cands:
            priors = tuple(_prior(ch, chars, pos, script)
                           + (cache.bonus(ch, pos) if cache is not None else 0.0)
                           for ch in cands)
            units.append(Unit(tuple(cands), priors))
        else:
            units.append(Unit(("\ufffd",), (0.0,)))
    ranking = zh_model.rank_candidates(units, model)
    result = {}
    for pos in line.slots:  # fill the whole line first, so that snippets show the final text
        ranked = ranking[pos - line.start]
        chars[pos] = ranked[0][0] if ranked else "\ufffd"
        result[pos] = ranked
    return result


# Lines whose closest call is within this log-score margin are re-ranked with the cache.
_RERANK_BELOW = 3 * MIN_MARGIN
# The cache's constants (round values; the weights were picked among a handful of settings by
# the measurement in tests/test_mojibake.py, so that figure is slightly optimistic):
CACHE_WEIGHT = 1.0  # exponent on the ratio document / background frequency of a character
PAIR_WEIGHT = 1.0  # per log(1 + n) of a character pair the document holds n trusted times
CACHE_CONFIDENT = 2 * MIN_MARGIN  # first-pass choices at least this sure count as trusted
# Weight of the document's own character frequencies against the background model's (the
# classic linear-interpolation cache). A round value picked among 0.3, 0.5 and 0.7: 21, 18 and
# 16 errors on the seed measurement; 988, 986 and 1009 errors in 57,227 Chinese characters of
# Traditional Chinese message catalogues the model was never tuned on (this machine's
# /usr/share/locale/zh_TW, damaged the same way), where a smaller value leaves more characters
# undecided and fewer wrong without a word (0.5: 533, 0.7: 650); 0.5 takes the middle.
# It replaces Dirichlet smoothing
# (mu = 200), which cost a character absent from the trusted text about log(mu / N): up to -2
# at every close call. A character whose every occurrence lost a byte (導 in "AI導論" four
# times, always a close call) is absent by construction, so that penalty overrode the model
# (24 errors on the seeds, 1021 on the catalogues); here absence costs at most log(1 - 0.5).
CACHE_LAMBDA = 0.5


class _DocCache:
    """What this document says about its own vocabulary (a cache language model).

    Characters none of whose bytes were lost come through exactly, and the first pass decides
    most damaged ones with confidence; a technical text reuses its vocabulary, so a character
    or character pair it uses elsewhere is likelier at a close call than a background model of
    general Chinese says: P(ch) = CACHE_LAMBDA P_doc(ch) + (1 - CACHE_LAMBDA) P_background(ch).
    Only trusted characters count: intact ones and confident first-pass choices; a slot's own
    contribution is left out when it is re-ranked.

    This looks only at the text being repaired: nothing here is fitted to any test text.
    """

    def __init__(self, chars: list[str], trusted: list[bool], model: zh_model.ZhModel) -> None:
        self._chars = list(chars)
        self._trusted = trusted
        self._model = model
        self._counts: dict[str, float] = {}
        self._pairs: dict[str, float] = {}
        for pos, ch in enumerate(chars):
            if not trusted[pos] or not zh_model.is_han(ch):
                continue
            self._counts[ch] = self._counts.get(ch, 0.0) + 1.0
            if pos + 1 < len(chars) and trusted[pos + 1] and zh_model.is_han(chars[pos + 1]):
                pair = ch + chars[pos + 1]
                self._pairs[pair] = self._pairs.get(pair, 0.0) + 1.0
        self._total = sum(self._counts.values())

    @classmethod
    def build(cls, draft: _Draft, rankings: dict[int, list[tuple[str, float]]],
              model: zh_model.ZhModel) -> _DocCache:
        # Close first-pass calls stay out: they are what the cache is for, and letting them
        # vote would let a repeated phrase confirm its own error.
        trusted = [True] * len(draft.chars)
        for pos, ranked in rankings.items():
            trusted[pos] = _margin(ranked) >= CACHE_CONFIDENT
        return cls(draft.chars, trusted, model)

    def bonus(self, ch: str, pos: int) -> float:
        if not zh_model.is_han(ch):
            return 0.0
        own = 1.0 if self._trusted[pos] and self._chars[pos] == ch else 0.0
        background = math.exp(self._model.unigram_logp(ch))
        count = self._counts.get(ch, 0.0) - own
        share = count / (self._total - own) if self._total > own else 0.0
        score = CACHE_WEIGHT * math.log(
            (1 - CACHE_LAMBDA) + CACHE_LAMBDA * share / background)
        for left, right, neighbour in ((pos - 1, pos, pos - 1), (pos, pos + 1, pos + 1)):
            if not 0 <= neighbour < len(self._chars):
                continue
            pair = (self._chars[left] + ch) if neighbour == left else (ch + self._chars[right])
            n = self._pairs.get(pair, 0.0)
            if own and self._trusted[neighbour]:
                n -= 1.0
            if n > 0:
                score += PAIR_WEIGHT * math.log1p(n)
        return score


def _prior(ch: str, chars: list[str], pos: int, script: str) -> float:
    """Context the word model cannot see: joiners and selectors belong between/after emoji."""
    cp = ord(ch)
    if cp == 0x200D:  # zero-width joiner: only inside an emoji sequence
        near_emoji = pos > 0 and pos + 1 < len(chars) and _emojiish(chars[pos - 1])
        return math.log(0.5) if near_emoji and _emojiish(chars[pos + 1]) else math.log(1e-12)
    if 0xFE00 <= cp <= 0xFE0F:  # variation selectors follow a symbol; VS16 is the usual one
        if pos == 0 or not _emojiish(chars[pos - 1]):
            return math.log(1e-12)
        return math.log(0.5 if cp == 0xFE0F else 1e-6)
    return zh_model.script_logprior(ch, script) + _punctuation_prior(ch, chars, pos)


_OPEN = "「『【《〈（“‘〔［｛"
_CLOSE = "」』】》〉）”’〕］｝"
_MID = "、，。：；！？"
_UNLIKELY = math.log(1e-3)
# Round value among 1, 3 and 10. On Traditional Chinese message catalogues (gettext files of
# this machine's /usr/share/locale/zh_TW, the same damage; "「%s」" is common there) 1 left 532
# "」" read as "、" without a word, 3 left them undecided, 10 repaired all but 10; on the seeds
# only 10 repaired their one such "」".
BRACKET_BONUS = 10.0


def _punctuation_prior(ch: str, chars: list[str], pos: int) -> float:
    """Where Chinese punctuation can stand: what a character model cannot know.

    A mid-sentence mark does not open a line or follow an opening bracket, two of them do not
    touch, and a bracket is far likelier when its partner is there to match it.
    """
    if ch not in _OPEN and ch not in _CLOSE and ch not in _MID:
        return 0.0
    prev = chars[pos - 1] if pos > 0 else "\n"
    nxt = chars[pos + 1] if pos + 1 < len(chars) else "\n"
    if ch in _MID:
        bad_before = prev.isspace() or prev in _OPEN or prev in "[(<\"'"
        return (_UNLIKELY if bad_before else 0.0) + (_UNLIKELY if nxt in _MID else 0.0)
    if ch in _OPEN:
        partner = _CLOSE[_OPEN.index(ch)]
        after = _line_slice(chars, pos + 1, forward=True)
        before = _line_slice(chars, pos, forward=False)
        waiting = _unmatched_closers(after, ch, partner) - _unmatched_openers(before, ch, partner)
        return _bracket_prior(waiting) + (_UNLIKELY if nxt.isspace() else 0.0)
    partner = _OPEN[_CLOSE.index(ch)]
    before = _line_slice(chars, pos, forward=False)
    after = _line_slice(chars, pos + 1, forward=True)
    waiting = _unmatched_openers(before, partner, ch) - _unmatched_closers(after, partner, ch)
    return _bracket_prior(waiting) + (_UNLIKELY if prev.isspace() else 0.0)


def _bracket_prior(waiting: int) -> float:
    """A bracket is likelier where a partner on the line waits for it, unlikely where none does.

    ``waiting`` counts the partners left unmatched on the line beyond those already matched by
    other brackets of its kind; a "」" that closes a "「" left open is worth BRACKET_BONUS over
    "、" (the other reading of the same damaged bytes) before any other evidence.
    """
    return math.log(BRACKET_BONUS) if waiting > 0 else math.log(0.1)


def _unmatched_openers(text: str, opener: str, closer: str) -> int:
    depth = 0
    for c in text:
        if c == opener:
            depth += 1
        elif c == closer and depth:
            depth -= 1
    return depth


def _unmatched_closers(text: str, opener: str, closer: str) -> int:
    return _unmatched_openers(text[::-1], closer, opener)


def _line_slice(chars: list[str], pos: int, *, forward: bool) -> str:
    """The rest of the line after ``pos`` (forward) or before it."""
    if forward:
        end = _index(chars, "\n", pos)
        return "".join(chars[pos : len(chars) if end is None else end])
    start = pos
    while start > 0 and chars[start - 1] != "\n":
        start -= 1
    return "".join(chars[start:pos])


def _emojiish(ch: str) -> bool:
    return is_emoji(ch) or (ord(ch) > 0x2000 and not zh_model.is_han(ch) and ch.isprintable()
                            and not ch.isalnum() and ch not in "\u3000\ufffd")


def _undecided(chars: list[str], start: int, end: int, pos: int, line_no: int,
               ranked: list[tuple[str, float]]) -> Undecided:
    lo, hi = max(start, pos - 10), min(end, pos + 11)
    return Undecided(
        line=line_no,
        column=pos - start + 1,
        snippet="".join(chars[lo:hi]),
        candidates=tuple(ch for ch, _ in ranked[:6]),
    )
