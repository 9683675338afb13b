"""Mojibake detection/repair, source decoding and ``llmcourse fix-encoding``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from llmcourse.commands.fix_encoding import command
from llmcourse.mojibake import (
    decode_legacy,
    decode_source,
    looks_mojibake,
    repair_text,
)
from llmcourse.zh_model import Unit, _word_edges, is_han, load_model

FIXTURES = Path(__file__).parent / "fixtures" / "mojibake"

# What 003/004 show: UTF-8 decoded as Windows-1254 (0xF0 became "ğ", and 0x8E/0x9E vanished
# like cp1252's undefined bytes), with the undefined bytes and the soft hyphen dropped.
LOST = bytes([0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD])


def corrupt(text: str) -> str:
    return text.encode("utf-8").translate(None, LOST).decode("cp1254")


def test_corrupter_mimics_the_damaged_seeds() -> None:
    assert corrupt("## 簡介") == "## ç°¡ä»‹"
    assert corrupt("學習") == "å¸ç¿’"
    assert corrupt("📝") == "ğŸ“"
    damaged = (FIXTURES / "003.txt").read_text(encoding="utf-8")
    assert "## ç°¡ä»‹" in damaged and "å¸ç¿’" in damaged
    assert not set("ŽžÐð\xad\x81") & set(damaged)


def _measure() -> tuple[int, int, int, int]:
    total = same = han = han_same = 0
    for seed in sorted(SEEDS.glob("00[012]_*.txt")):
        original = seed.read_text(encoding="utf-8")
        repaired = repair_text(corrupt(original)).text
        assert len(repaired) == len(original)
        for a, b in zip(original, repaired):
            total += 1
            same += a == b
            if is_han(a):
                han += 1
                han_same += a == b
    return total, same, han, han_same


@pytest.fixture(scope="module")
def measurement() -> tuple[float, float]:
    if not list(SEEDS.glob("00[012]_*.txt")):
        pytest.skip("clean seed lectures not available")
    total, same, han, han_same = _measure()
    return same / total, han_same / han


def test_repair_rate_of_all_characters(measurement: tuple[float, float],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    all_rate, han_rate = measurement
    with capsys.disabled():
        print(f"\nmojibake repair on corrupted seeds 000-002: {all_rate:.4%} of all characters,"
              f" {han_rate:.3%} of Chinese characters restored exactly")
    assert all_rate >= 0.999


def test_repair_rate_of_chinese_characters_meets_target(measurement: tuple[float, float]) -> None:
    assert measurement[1] >= 0.99


def test_repair_rate_of_chinese_characters_does_not_regress(
        measurement: tuple[float, float]) -> None:
    assert measurement[1] >= 0.991  # measured 99.21% (18 errors in 2290)


@pytest.mark.parametrize("text", [
    "# Title\n\nPlain *Markdown* with `code`, [a link](https://x.org/a%E5%BE%9E?q=1#frag).\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quote -- done.\n",
    "Un café naïve, “quotes” — and 95°C.\n",
    "已經是乾淨的 UTF-8 中文：學習、簡介！\n",
])
def test_clean_text_is_unchanged(text: str) -> None:
    assert not looks_mojibake(text)
    result = repair_text(text)
    assert result.text == text
    assert not result.changed and result.undecided == ()


def test_markdown_and_urls_survive_repair() -> None:
    line = "0. [使用 Python 進行 ETL](https://github.com/a/b/1.%E5%BE%9EAI%2CML/x.ipynb)\n"
    assert repair_text(corrupt(line)).text == line


def test_intact_mojibake_is_repaired_and_counted() -> None:
    result = repair_text("comment Ã§a va? â€œyesâ€™")
    assert result.text == "comment ça va? “yes’"
    assert result.repaired == 3 and result.restored == 0


def test_lost_bytes_are_rebuilt() -> None:
    result = repair_text(corrupt("## 簡介\n\n我的學習筆記，深度學習的數學。\n"))
    assert result.text == "## 簡介\n\n我的學習筆記，深度學習的數學。\n"
    assert result.restored >= 2


def test_ambiguous_emoji_is_reported_not_hidden() -> None:
    result = repair_text(corrupt("## 📝 Notebooks\n\n深度學習的筆記。\n"))
    assert [u.line for u in result.undecided] == [1]
    undecided = result.undecided[0]
    assert "📝" in undecided.candidates and undecided.column == 4
    assert result.text.splitlines()[0][3] == undecided.candidates[0]


def test_zero_width_joiner_between_emoji() -> None:
    assert repair_text(corrupt("2. 🧑‍🔬 **LLM 模型工程** 專注\n")).text.startswith("2. 🧑‍🔬")


def test_closing_bracket_matches_its_opener() -> None:
    # "」" and "、" lose one byte each and then look the same; the open "「" decides.
    line = "找不到「%s」的設定檔，請檢查「%s」目錄。\n"
    assert repair_text(corrupt(line)).text == line


def test_a_run_of_han_characters_starts_a_word() -> None:
    # 對論 is common inside words (相對論) but starts none: after a non-Han character (or at a
    # line start) the chain knows that, and 導論 ("introduction") is the better reading.
    model = load_model()
    assert model.transition_logp("對", "論", True) < model.transition_logp("對", "論", False) - 2
    assert model.transition_logp("導", "論", True) > model.transition_logp("對", "論", True) + 2


def test_words_are_matched_in_one_script() -> None:
    units = [Unit(("遊",), (0.0,)), Unit(("戏", "戲"), (0.0, 0.0))]
    words = {text for _, _, text, _ in _word_edges(units, load_model())}
    assert "遊戲" in words and "遊戏" not in words


@pytest.mark.parametrize("name", ["003.txt", "004.txt"])
def test_fixtures_are_repaired(name: str) -> None:
    damaged = (FIXTURES / name).read_text(encoding="utf-8")
    assert looks_mojibake(damaged)
    result = repair_text(damaged)
    assert not looks_mojibake(result.text)
    assert "學習" in result.text and "\ufffd" not in result.text
    if name == "003.txt":
        assert "## 簡介" in result.text and "# 我的 AI學習相關筆記" in result.text
    else:
        assert "與大型語言模型相關的 colab notebook 和文章清單。" in result.text


def test_legacy_encodings_are_decoded() -> None:
    big5 = "## 簡介\n\n學習大型語言模型的筆記，包含訓練與評估。\n"
    gb = "## 简介\n\n学习大型语言模型的笔记，包含训练与评估。\n"
    assert decode_legacy(big5.encode("big5")) == (big5, "big5")
    assert decode_source(big5.encode("cp950"))[0] == big5
    assert decode_source(gb.encode("gb18030")) == (gb, "gb18030", None)


def test_decode_source_utf8_and_bom() -> None:
    assert decode_source("學習 ok".encode()) == ("學習 ok", "utf-8", None)
    assert decode_source(b"\xef\xbb\xbfhi") == ("hi", "utf-8-sig", None)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(256)) * 4])
def test_binary_data_is_a_problem(data: bytes) -> None:
    text, encoding, problem = decode_source(data)
    assert encoding is None and text == "" and "binary" in (problem or "")


# --- the command ---------------------------------------------------------------------------

DAMAGED = corrupt("# 筆記\n\n## 📝 Notebooks\n\n我的學習筆記，深度學習的數學。\n")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(command, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_fixes_file_and_keeps_orig(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(DAMAGED, encoding="utf-8")
    code, out, err = _run(str(path))
    assert code == 0, err
    assert "我的學習筆記" in path.read_text(encoding="utf-8")
    assert (tmp_path / "notes.md.orig").read_text(encoding="utf-8") == DAMAGED
    assert f"{path}:3: warning: could not decide" in err
    # Second run: the file is clean now and nothing is touched.
    code, out, _ = _run(str(path))
    assert code == 0 and "already clean" in out


def test_cli_never_overwrites_orig(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(DAMAGED, encoding="utf-8")
    (tmp_path / "notes.md.orig").write_text("precious", encoding="utf-8")
    code, _, err = _run(str(path))
    assert code == 1 and "already exists" in err
    assert path.read_text(encoding="utf-8") == DAMAGED
    assert (tmp_path / "notes.md.orig").read_text(encoding="utf-8") == "precious"


def test_cli_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(DAMAGED, encoding="utf-8")
    code, out, _ = _run("--dry-run", str(path))
    assert code == 0
    assert "dry run" in out and "+我的學習筆記" in out and "--- " in out
    assert path.read_text(encoding="utf-8") == DAMAGED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md"]


def test_cli_clean_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "clean.md"
    path.write_bytes("# 簡介\n\nfine\n".encode())
    before = path.stat().st_mtime_ns
    code, out, _ = _run(str(path))
    assert code == 0 and "already clean" in out
    assert path.stat().st_mtime_ns == before and not (tmp_path / "clean.md.orig").exists()


def test_cli_legacy_file_rewritten_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "big5.md"
    text = "## 簡介\n\n學習大型語言模型的筆記，包含訓練與評估。\n"
    path.write_bytes(text.encode("big5"))
    code, out, _ = _run(str(path))
    assert code == 0 and "big5" in out
    assert path.read_text(encoding="utf-8") == text


def test_cli_errors_exit_1(tmp_path: Path) -> None:
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, _, err = _run(str(binary), str(tmp_path / "missing.md"))
    assert code == 1
    assert f"{binary}: error: binary" in err and "missing.md: error: cannot read" in err


def test_cli_help_has_example() -> None:
    code, out, _ = _run("--help")
    assert code == 0 and "Example:" in out and "--dry-run" in out
