#!/usr/bin/env python3
"""The two commands a newcomer needs, with nothing but Python 3.11+ installed:

    python3 scripts/dev.py serve   # set up, migrate a SQLite database in ./data, serve on :8000
    python3 scripts/dev.py test    # set up and run the whole test suite

Both create ./.venv on first use and reinstall when pyproject.toml changes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("HEARTH_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def install_stamp(venv: Path, extras: str) -> tuple[Path, str]:
    """The file saying `venv` holds this pyproject.toml's install, and what it must contain."""
    # The suffix marks what an install includes beyond pip's work (its bytecode, below):
    # a venv set up before it was added is set up again.
    recipe = (ROOT / "pyproject.toml").read_bytes() + b"\n+bytecode -O0 -OO"
    return venv / f".hearth-installed-{extras or 'base'}", hashlib.sha256(recipe).hexdigest()


def _ensure_env(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit("Hearth needs Python 3.11 or newer.")
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV} …", flush=True)
        venv.create(VENV, with_pip=True)
    stamp, digest = install_stamp(VENV, extras)
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("Installing Hearth and its dependencies …", flush=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([PYTHON, "-m", "pip", "install", "-q", "-e", target], cwd=ROOT, check=True)
    print("Compiling bytecode …", flush=True)
    _compile_bytecode(_site_packages())
    stamp.write_text(digest)


# Where PYTHONDONTWRITEBYTECODE is set (as on the CI machines) Python never keeps the
# bytecode it compiles, and pip keeps only plain (-O0) bytecode. The server runs with
# -OO (server/cli.py), so each start would compile SQLAlchemy, Alembic and the rest
# from source again: about 2 s of CPU a start, hundreds of starts in the test suite.
# compileall writes the files whatever that setting says; imports read them.
PROJECT_SOURCES = ("server", "moderation", "migrations", "tests", "bench", "scripts")


def _site_packages() -> list[str]:
    out = subprocess.run([PYTHON, "-c", "import sysconfig; p = sysconfig.get_paths(); print(p['purelib']); print(p['platlib'])"],
                         check=True, capture_output=True, text=True).stdout.split("\n")
    return sorted({line for line in out if line})


def _compile_bytecode(paths: list[str]) -> None:
    """Plain and -OO bytecode for `paths`; quick when it is up to date. A file that
    does not compile (a package's sample of old syntax) is skipped, as pip does."""
    subprocess.run([PYTHON, "-m", "compileall", "-q", "-j", "0", "-o", "0", "-o", "2", *paths], cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def _compile_project() -> None:
    _compile_bytecode([p for p in PROJECT_SOURCES if (ROOT / p).is_dir()])


def serve(args: list[str]) -> int:
    _ensure_env("")
    _compile_project()
    return subprocess.call([PYTHON, "-m", "server", "serve", *args], cwd=ROOT)


def test(args: list[str]) -> int:
    _ensure_env("dev")
    _compile_project()
    return subprocess.call([PYTHON, "-m", "pytest", *args], cwd=ROOT)


def setup(args: list[str]) -> int:
    """Only the set-up: scripts/cluster runs it before starting its processes."""
    _ensure_env("")
    return 0


def main() -> int:
    commands = {"serve": serve, "test": test, "setup": setup}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
