from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty site folder with a minimal site.yaml."""
    root = tmp_path / "site"
    write(root / "site.yaml", "title: Test Course\n")
    (root / "content").mkdir()
    return root


@pytest.fixture
def example_site(tmp_path: Path) -> Path:
    """A copy of the repository's example course (content/ and site.yaml)."""
    root = tmp_path / "example"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    return root
