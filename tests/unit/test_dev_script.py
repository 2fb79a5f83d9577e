"""scripts/dev.py keeps the bytecode the server's -OO start reads, even where
PYTHONDONTWRITEBYTECODE stops Python from writing it (as on the CI machines)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import dev


def test_compiles_plain_and_optimised_bytecode_where_python_would_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "sample"
    package.mkdir()
    source = package / "module.py"
    source.write_text('"""A docstring -OO drops."""\nVALUE = 1\n')
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setattr(dev, "PYTHON", Path(sys.executable))

    subprocess.run([sys.executable, "-OO", "-c", "import module"], cwd=package, env=os.environ, check=True)
    assert not (package / "__pycache__").exists()  # Python itself kept nothing

    dev._compile_bytecode([str(package)])
    for optimization in ("", 2):
        cached = Path(importlib.util.cache_from_source(str(source), optimization=optimization))
        assert cached.is_file(), cached


def test_the_install_stamp_changes_with_what_an_install_includes(tmp_path: Path) -> None:
    stamp, digest = dev.install_stamp(tmp_path, "dev")
    plain = hashlib.sha256((dev.ROOT / "pyproject.toml").read_bytes()).hexdigest()
    assert stamp.name == ".hearth-installed-dev"
    assert digest != plain  # a venv installed before bytecode was part of an install is set up again
