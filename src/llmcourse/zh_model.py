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
}
_FALLBACK_FREQ = 1e-10  # a valid but unremarkable character (rare symbol, Latin letter, kana)
_HAN_FLOOR = 1e-9  # a Han character wordfreq has never seen as a word on its own


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
    """Character unigram and bigram log-probabilities (Simplified keys) plus symbol priors.

    Both are derived from wordfreq's word list: a word of frequency f adds f to each of its
    characters and to each adjacent pair inside it. So P(b | a) measures how often ``ab`` occurs
    inside real words, which is what tells 參數 from 像數 (a word-unigram segmenter prefers the
    latter, because 數量 and 像 are both frequent on their own).
    """

    def __init__(self, freqs: dict[str, float], simplify: dict[int, str],
                 emoji_freqs: dict[str, float]) -> None:
        self._simplify = simplify
        self._emoji = emoji_freqs
        unigram: dict[str, float] = defaultdict(float)
        bigram: dict[str, float] = defaultdict(float)
        followed: dict[str, float] = defaultdict(float)
        for word, freq in freqs.items():
            for ch in word:
                unigram[ch] += freq
            for k in range(len(word) - 1):
                bigram[word[k : k + 2]] += freq
                followed[word[k]] += freq
        total = sum(f for ch, f in unigram.items() if is_han(ch))
        self._uni = {ch: f / total for ch, f in unigram.items()}
        self._count = dict(unigram)
        self._bigram = dict(bigram)
        self._followed = dict(followed)

    def key(self, ch: str) -> str:
        return ch.translate(self._simplify)

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

    def bigram_logp(self, prev: str, ch: str) -> float:
        """log P(ch | prev) for two Han characters, backing off to the unigram.

        The back-off weight is the share of ``prev``'s occurrences that end a word, so a
        character that rarely starts a pair does not pretend to predict its neighbour.
        """
        a, b = self.key(prev), self.key(ch)
        p_b = self._uni.get(b) or _HAN_FLOOR
        count_a = self._count.get(a, 0.0)
        pair = self._bigram.get(a + b, 0.0)
        followed = self._followed.get(a, 0.0)
        if count_a <= 0.0:
            return math.log(p_b)
        return math.log((pair + count_a * p_b) / (followed + count_a))


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
    """For each unit, its candidates sorted best-first with max-marginal log-scores.

    The line is a chain: Han characters are linked by bigrams, anything else breaks the chain.
    A candidate's score is the best total log-probability of the whole line with that
    candidate in place (forward + backward max-product), so both neighbours vote.
    """
    n = len(units)
    if n == 0:
        return []
    emit = [[_emission(u, k, model) for k in range(len(u.candidates))] for u in units]
    fwd = [list(emit[0])]
    for i in range(1, n):
        prev, cur = units[i - 1], units[i]
        fwd.append([
            emit[i][k] + max(fwd[i - 1][j] + _link(prev.candidates[j], ch, model)
                             for j in range(len(prev.candidates)))
            for k, ch in enumerate(cur.candidates)
        ])
    bwd = [[0.0] * len(units[-1].candidates)]
    for i in range(n - 2, -1, -1):
        nxt, cur = units[i + 1], units[i]
        after = bwd[0]
        bwd.insert(0, [
            max(_link(ch, nxt.candidates[j], model) + emit[i + 1][j] + after[j]
                for j in range(len(nxt.candidates)))
            for ch in cur.candidates
        ])
    return [
        sorted(zip(u.candidates, (f + b for f, b in zip(fwd[i], bwd[i]))), key=lambda kv: -kv[1])
        for i, u in enumerate(units)
    ]


def _emission(unit: Unit, k: int, model: ZhModel) -> float:
    ch = unit.candidates[k]
    if unit.fixed and not is_han(ch):
        return 0.0  # the same in every reading of the line
    return model.unigram_logp(ch) + unit.priors[k]


def _link(prev: str, ch: str, model: ZhModel) -> float:
    """Bigram gain of ``ch`` after ``prev`` over its unigram (already in the emission)."""
    if not (is_han(prev) and is_han(ch)):
        return 0.0
    return model.bigram_logp(prev, ch) - model.unigram_logp(ch)


def category_ok(ch: str) -> bool:
    """Characters a damaged sequence may plausibly have been (no controls, private use, holes)."""
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Co", "Cn", "Cs"):
        return False
    return not (0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE)
