"""A small Chinese language model for choosing among candidate characters.

The mojibake repair knows, for each damaged character, a short list of characters it could have
been. This module picks among them in context: it builds a word lattice over a line (words from
wordfreq's Chinese list, which ships its data and needs no network), runs a max-product Viterbi
forwards and backwards, and scores every candidate by the best whole-line segmentation that uses
it (a max-marginal). The gap between the best and the runner-up says how sure the choice is.

wordfreq's keys are Simplified Chinese, so candidates are looked up through wordfreq's own
Traditional -> Simplified table; a Big5 / GB2312 "common character" prior then separates forms
that simplify to the same key and penalises rare or wrong-script characters.
"""

from __future__ import annotations

import gzip
import math
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

# Rough per-token frequencies of punctuation and symbols in Chinese/English text; the same scale
# as wordfreq's word frequencies so that a symbol and a Han character can be compared directly.
_SYMBOL_FREQ: dict[str, float] = {
    "，": 4e-2, "。": 2e-2, "、": 1e-2, "：": 5e-3, "；": 2e-3, "！": 3e-3, "？": 3e-3,
    "（": 4e-3, "）": 4e-3, "「": 3e-3, "」": 3e-3, "『": 5e-4, "』": 5e-4, "【": 1e-3,
    "】": 1e-3, "《": 1e-3, "》": 1e-3, "〈": 2e-4, "〉": 2e-4, "“": 3e-3, "”": 3e-3,
    "‘": 1e-3, "’": 2e-3, "…": 1e-3, "—": 1e-3, "–": 5e-4, "·": 5e-4, "•": 5e-4,
    "～": 5e-4, "／": 5e-4, "－": 3e-4, "＋": 1e-4, "＝": 1e-4, "％": 2e-4, "→": 5e-4,
    "\u00a0": 1e-4, "\u00ad": 1e-6,
    # Joiner and emoji selector: neutral here; mojibake._prior decides from their neighbours.
    "\u200d": 1.0, "\ufe0f": 1.0,
}
MAX_WORD = 4  # longer dictionary words add almost nothing to the segmentation expert
_FALLBACK_FREQ = 1e-10  # a valid but unremarkable character (rare symbol, Latin letter, kana)
_HAN_FLOOR = 1e-9  # a Han character wordfreq has never seen as a word on its own
# The character chain's smoothing (see ZhModel.transition_logp). Round values picked among a
# handful (discount 1, 3, 10, 30; share 0, 0.05, 0.1, 0.2) on the measurement in
# tests/test_mojibake.py, for want of a held-out Traditional Chinese text: the figure is
# slightly optimistic. Settings near these gave 24-27 errors, against 28 before; with the
# run-start pairs and the linear document cache (mojibake.CACHE_LAMBDA), 18-22.
_UNIT = 1e-8  # wordfreq's smallest recorded frequency: one "count"
KN_DISCOUNT = 3.0 * _UNIT  # absolute discount on a within-word pair's frequency
BOUNDARY_SHARE = 0.1  # weight of the word-boundary path (prev ends a word, ch starts one)


@dataclass(frozen=True)
class Unit:
    """One character position of a line: a fixed character or a damaged one with candidates.

    ``priors`` holds a log-prior per candidate (0.0 for fixed characters); it is where the
    byte-level code puts what it knows about context (e.g. a zero-width joiner between emoji).
    """

    candidates: tuple[str, ...]
    priors: tuple[float, ...]

    @property
    def fixed(self) -> bool:
        return len(self.candidates) == 1


def is_han(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x323AF
    )


def is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF


class ZhModel:
    """What wordfreq's Chinese word list says about characters and words (Simplified keys).

    From each word of frequency f it derives: f for the word itself (segmentation expert), and
    for the character chain: how often a character occurs, starts a word, ends a word, and how
    often each pair occurs inside a word.
    """

    def __init__(self, freqs: dict[str, float], simplify: dict[int, str],
                 emoji_freqs: dict[str, float]) -> None:
        self._simplify = simplify
        self._emoji = emoji_freqs
        count: dict[str, float] = defaultdict(float)
        starts: dict[str, float] = defaultdict(float)
        ends: dict[str, float] = defaultdict(float)
        pairs: dict[str, float] = defaultdict(float)
        for word, freq in freqs.items():
            starts[word[0]] += freq
            ends[word[-1]] += freq
            for ch in word:
                count[ch] += freq
            for k in range(len(word) - 1):
                pairs[word[k : k + 2]] += freq
        total = sum(freqs.values())
        han_total = sum(f for ch, f in count.items() if is_han(ch))
        self._uni = {ch: f / han_total for ch, f in count.items()}
        self._count = dict(count)
        self._start = {ch: f / total for ch, f in starts.items()}
        self._end = {ch: ends.get(ch, 0.0) / f for ch, f in count.items()}
        self._pairs = dict(pairs)
        # Kneser-Ney statistics of the within-word pairs: how much each character is followed
        # inside a word, by how many different characters, and before how many it stands.
        self._context: dict[str, float] = defaultdict(float)
        self._followers: dict[str, int] = defaultdict(int)
        preceders: dict[str, int] = defaultdict(int)
        for pair, freq in pairs.items():
            self._context[pair[0]] += freq
            self._followers[pair[0]] += 1
            preceders[pair[1]] += 1
        pair_types = sum(preceders.values())
        self._continuation = {ch: n / pair_types for ch, n in preceders.items()}
        self._continuation_floor = 0.1 / pair_types
        # The same for the first two characters of words: a Han character right after a
        # non-Han one (or at the start of a line) starts a word, so the character after it is
        # the second of that word or the first of the next; "對論" is frequent inside words
        # (相對論) but no word starts with it, while 導論 is one.
        initial_pairs: dict[str, float] = defaultdict(float)
        for word, freq in freqs.items():
            if len(word) > 1:
                initial_pairs[word[:2]] += freq
        self._initial_pairs = dict(initial_pairs)
        self._initial_context: dict[str, float] = defaultdict(float)
        self._initial_followers: dict[str, int] = defaultdict(int)
        for pair, freq in initial_pairs.items():
            self._initial_context[pair[0]] += freq
            self._initial_followers[pair[0]] += 1
        # Words for the segmentation expert, with their proper prefixes so that the lattice
        # stops extending as soon as no word can follow.
        self._words = {w: math.log(f) for w, f in freqs.items() if f > 0}
        self._prefixes = {w[:k] for w in self._words if 1 < len(w) <= MAX_WORD
                          for k in range(1, len(w))}

    def key(self, ch: str) -> str:
        return ch.translate(self._simplify)

    def is_prefix(self, key: str) -> bool:
        return key in self._prefixes

    def word_logp(self, key: str) -> float | None:
        return self._words.get(key)

    def token_logp(self, ch: str) -> float:
        """Log-probability of ``ch`` standing as a word on its own (segmentation expert)."""
        if is_han(ch):
            return self._words.get(self.key(ch), math.log(_HAN_FLOOR))
        return self.unigram_logp(ch)

    def unigram_logp(self, ch: str) -> float:
        """Log-probability of ``ch`` as a character of running text, ignoring neighbours."""
        if is_han(ch):
            return math.log(self._uni.get(self.key(ch)) or _HAN_FLOOR)
        if ch in _SYMBOL_FREQ:
            return math.log(_SYMBOL_FREQ[ch])
        if is_emoji(ch):
            # wordfreq's English list (from social media) knows emoji; most damaged emoji stay
            # ambiguous anyway, because their candidates are all about as rare.
            return math.log(self._emoji.get(ch, 1e-9) * 10)
        if ch.isascii():
            return math.log(1e-3)
        return math.log(_FALLBACK_FREQ)

    def transition_logp(self, prev: str | None, ch: str | None,
                        prev_starts_run: bool = False) -> float:
        """log P(ch | prev) in the character chain; None or a non-Han character is a boundary.

        Inside a run of Han characters, ``ch`` either continues the word ``prev`` is in, or a
        new word starts. The first is an interpolated Kneser-Ney bigram of the pairs inside
        words (weighted by word frequency): (max(C(prev ch) - D, 0) + D N(prev .) P_cont(ch))
        / C(prev .), where P_cont(ch) is the share of pair types ending in ``ch``; the second
        is P(prev ends a word) * P(ch starts a word). They are mixed with BOUNDARY_SHARE
        rather than by how often ``prev`` ends a word: taken at its word-list value, the
        boundary path makes a frequent one-character word (對, 不) followed by anything about
        as likely as a real word (導論, 台大), which is what the word-segmentation expert
        already weighs.

        When ``prev`` starts a run of Han characters (``prev_starts_run``), it starts a word, so
        the within-word part is sharpened the same Kneser-Ney way by the pairs that begin
        words, backing off to the bigram above.
        """
        prev_han = prev is not None and is_han(prev)
        ch_han = ch is not None and is_han(ch)
        if not ch_han:
            return math.log(self._end.get(self.key(prev), 1.0) or _HAN_FLOOR) if prev_han else 0.0
        b = self.key(ch)  # type: ignore[arg-type]
        start = self._start.get(b, 0.0)
        if not prev_han:
            return math.log(start or _HAN_FLOOR)
        a = self.key(prev)  # type: ignore[arg-type]
        boundary = self._end.get(a, 1.0) * start
        context = self._context.get(a)
        if not context:
            return math.log(boundary or start or _HAN_FLOOR)
        continuation = self._continuation.get(b, self._continuation_floor)
        within = (max(self._pairs.get(a + b, 0.0) - KN_DISCOUNT, 0.0)
                  + KN_DISCOUNT * self._followers[a] * continuation) / context
        initial = self._initial_context.get(a) if prev_starts_run else None
        if initial:
            within = (max(self._initial_pairs.get(a + b, 0.0) - KN_DISCOUNT, 0.0)
                      + KN_DISCOUNT * self._initial_followers[a] * within) / initial
        p = (1 - BOUNDARY_SHARE) * within + BOUNDARY_SHARE * boundary
        return math.log(p or _HAN_FLOOR)


@cache
def load_model() -> ZhModel:
    """Load once per process (~1 s); wordfreq reads its bundled files, no network."""
    import msgpack
    import wordfreq
    from wordfreq.util import data_path

    with gzip.open(data_path("_chinese_mapping.msgpack.gz")) as fh:
        simplify = msgpack.load(fh, raw=False, strict_map_key=False)
    english = wordfreq.get_frequency_dict("en")
    emoji = {w: f for w, f in english.items() if len(w) == 1 and is_emoji(w)}
    return ZhModel(wordfreq.get_frequency_dict("zh"), simplify, emoji)


def script_logprior(ch: str, script: str) -> float:
    """How likely a Han character is in a Traditional ('big5') or Simplified ('gb') document.

    Level-1 ("common") characters of Big5 / GB2312 cost nothing, level-2 ones a little, the
    rest (variants, extension A, the other script) much more.
    """
    if not is_han(ch):
        return 0.0
    levels = []
    for enc, level1_end in (("cp950", 0xC67E), ("gb2312", 0xD7F9)):
        if script not in ("any", "big5" if enc == "cp950" else "gb"):
            continue
        try:
            code = int.from_bytes(ch.encode(enc), "big")
        except UnicodeEncodeError:
            levels.append(math.log(0.005))
            continue
        levels.append(0.0 if code <= level1_end else math.log(0.05))
    return max(levels) if levels else 0.0


def guess_script(text: str) -> str:
    """'big5' if the intact Han characters are Traditional, 'gb' if Simplified, else 'any'."""
    trad = simp = 0
    for ch in text:
        if not is_han(ch):
            continue
        in_big5 = _encodes(ch, "cp950")
        in_gb = _encodes(ch, "gb2312")
        trad += in_big5 and not in_gb
        simp += in_gb and not in_big5
    if trad >= 3 and trad > 3 * simp:
        return "big5"
    if simp >= 3 and simp > 3 * trad:
        return "gb"
    return "any"


def _encodes(ch: str, enc: str) -> bool:
    try:
        ch.encode(enc)
    except UnicodeEncodeError:
        return False
    return True


def rank_candidates(units: Sequence[Unit], model: ZhModel) -> list[list[tuple[str, float]]]:
    """For each unit, its candidates sorted best-first with combined log-scores.

    Two experts vote, each with a max-marginal (the best reading of the whole line that uses
    the candidate): a character bigram chain, which knows which characters stick together,
    and a word segmentation, which knows that e.g. 論 rarely stands alone while 導論 is a word.
    Their errors differ, so their sum is better than either.
    """
    chain = _chain_scores(units, model)
    words = _word_scores(units, model)
    return [
        sorted(((ch, chain[i][k] + words[i].get(ch, -math.inf))
                for k, ch in enumerate(u.candidates)), key=lambda kv: -kv[1])
        for i, u in enumerate(units)
    ]


def _chain_scores(units: Sequence[Unit], model: ZhModel) -> list[list[float]]:
    """Character chain over the line (max-product forward and backward passes).

    A state is a candidate plus whether it starts a run of Han characters (the candidate
    before it is not Han), which :meth:`ZhModel.transition_logp` needs; a candidate's score
    is the best of its states.
    """
    n = len(units)
    if n == 0:
        return []
    han = [[is_han(ch) for ch in u.candidates] for u in units]
    states: list[list[tuple[int, bool]]] = []  # (candidate index, starts a Han run)
    for i, unit in enumerate(units):
        after_other = i == 0 or not all(han[i - 1])
        after_han = i > 0 and any(han[i - 1])
        row = []
        for k in range(len(unit.candidates)):
            if not han[i][k]:
                row.append((k, False))
                continue
            if after_other:
                row.append((k, True))
            if after_han:
                row.append((k, False))
        states.append(row)
    emit = [[_emission(u, k, model) for k in range(len(u.candidates))] for u in units]
    memo: dict[tuple[str | None, bool, str | None], float] = {}

    def trans(prev: str | None, starts: bool, ch: str | None) -> float:
        key = (prev, starts, ch)
        score = memo.get(key)
        if score is None:
            score = memo[key] = model.transition_logp(prev, ch, starts)
        return score

    def follows(i: int, j: int, starts: bool, k: int) -> bool:
        """Whether candidate j of unit i-1 can precede state (k, starts) of unit i."""
        return not han[i][k] or starts != han[i - 1][j]

    fwd = [[trans(None, False, units[0].candidates[k]) + emit[0][k] for k, _ in states[0]]]
    for i in range(1, n):
        prev_cands, cands = units[i - 1].candidates, units[i].candidates
        if len(states[i - 1]) == len(states[i]) == 1:
            # One state each: the transition adds the same to every reading of the line, so
            # leaving it out changes no candidate's standing (nor any margin).
            fwd.append([fwd[i - 1][0] + emit[i][0]])
            continue
        row = []
        for k, starts in states[i]:
            ch = cands[k]
            row.append(emit[i][k] + max(
                f + trans(prev_cands[j], s, ch)
                for (j, s), f in zip(states[i - 1], fwd[i - 1]) if follows(i, j, starts, k)))
        fwd.append(row)
    bwd = [[0.0] * len(row) for row in states]
    bwd[n - 1] = [trans(units[n - 1].candidates[k], s, None) for k, s in states[n - 1]]
    for i in range(n - 2, -1, -1):
        cands, next_cands = units[i].candidates, units[i + 1].candidates
        if len(states[i]) == len(states[i + 1]) == 1:
            bwd[i] = [emit[i + 1][0] + bwd[i + 1][0]]
            continue
        bwd[i] = [
            max(trans(cands[k], s, next_cands[m]) + emit[i + 1][m] + b
                for (m, t), b in zip(states[i + 1], bwd[i + 1]) if follows(i + 1, k, t, m))
            for k, s in states[i]
        ]
    scores = []
    for i in range(n):
        best = [-math.inf] * len(units[i].candidates)
        for (k, _), f, b in zip(states[i], fwd[i], bwd[i]):
            best[k] = max(best[k], f + b)
        scores.append(best)
    return scores


def _emission(unit: Unit, k: int, model: ZhModel) -> float:
    """A Han character's probability is all in the transitions; others get their unigram."""
    ch = unit.candidates[k]
    if unit.fixed:
        return 0.0
    return (0.0 if is_han(ch) else model.unigram_logp(ch)) + unit.priors[k]


def _word_scores(units: Sequence[Unit], model: ZhModel) -> list[dict[str, float]]:
    """Word segmentation: max-marginal of each candidate over all word lattices of the line."""
    n = len(units)
    edges = _word_edges(units, model)
    by_start: list[list[tuple[int, str, float]]] = [[] for _ in range(n)]
    for start, end, text, score in edges:
        by_start[start].append((end, text, score))
    fwd = [-math.inf] * (n + 1)
    fwd[0] = 0.0
    for i in range(n):
        for end, _, score in by_start[i]:
            fwd[end] = max(fwd[end], fwd[i] + score)
    bwd = [-math.inf] * (n + 1)
    bwd[n] = 0.0
    for i in range(n - 1, -1, -1):
        bwd[i] = max((score + bwd[end] for end, _, score in by_start[i]), default=-math.inf)
    best: list[dict[str, float]] = [{} for _ in range(n)]
    for start, end, text, score in edges:
        total = fwd[start] + score + bwd[end]
        for k, ch in enumerate(text):
            slot = best[start + k]
            if total > slot.get(ch, -math.inf):
                slot[ch] = total
    return best


def _word_edges(units: Sequence[Unit], model: ZhModel) -> list[tuple[int, int, str, float]]:
    """(start, end, characters, log-score) for every single character and dictionary word.

    Words are matched through their Simplified keys, so a word is only offered in one script:
    遊 + 戏 matches the key of 游戏 but is neither 遊戲 nor 游戏, and nobody writes it.
    """
    edges = []
    for i, unit in enumerate(units):
        partial = []
        for ch, prior in zip(unit.candidates, unit.priors):
            fixed_other = unit.fixed and not is_han(ch)
            edges.append((i, i + 1, ch, 0.0 if fixed_other else model.token_logp(ch) + prior))
            key = model.key(ch)
            if is_han(ch) and model.is_prefix(key):
                partial.append((ch, key, prior, _script_of(ch)))
        end = i + 1
        while partial and end < len(units) and end - i < MAX_WORD:
            grown = []
            for text, key, prior, script in partial:
                for ch, ch_prior in zip(units[end].candidates, units[end].priors):
                    if not is_han(ch):
                        continue
                    ch_script = _script_of(ch)
                    if script and ch_script and ch_script != script:
                        continue
                    new_key = key + model.key(ch)
                    logp = model.word_logp(new_key)
                    if logp is not None:
                        edges.append((i, end + 1, text + ch, logp + prior + ch_prior))
                    if model.is_prefix(new_key):
                        grown.append((text + ch, new_key, prior + ch_prior, script or ch_script))
            partial = grown
            end += 1
    return edges


@cache
def _script_of(ch: str) -> str:
    """'big5' for a Traditional-only character, 'gb' for a Simplified-only one, else ''."""
    in_big5, in_gb = _encodes(ch, "cp950"), _encodes(ch, "gb2312")
    if in_big5 == in_gb:
        return ""
    return "big5" if in_big5 else "gb"


def category_ok(ch: str) -> bool:
    """Characters a damaged sequence may plausibly have been (no controls, private use, holes)."""
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Co", "Cn", "Cs"):
        return False
    return not (0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE)
