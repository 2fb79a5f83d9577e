"""C13: SQL is built from constants and bound parameters only. No f-string,
`%` formatting, `.format()` or concatenation with a variable inside a `text(...)`
or `execute(...)` call anywhere in the server (bandit B608's rule, as a test)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL_CALLS = {"text", "execute", "exec_driver_sql", "executescript", "executemany", "literal_column"}
# (file, source of the argument): reviewed exceptions, each with its reason.
ALLOWED = {
    # Trigger names from a literal tuple two lines up, in a migration we may not edit; no input reaches it.
    ("migrations/versions/5a7c0f0e1b2d_forum.py", "f'DROP TRIGGER IF EXISTS {trigger}'"),
}


def _formatted(node: ast.expr) -> str | None:
    if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
        return "f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and not isinstance(node.right, ast.Constant):
        return "% formatting"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and not (
            isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant)):
        return "concatenation"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return ".format()"
    return None


def _violations() -> list[str]:
    found = []
    for folder in ("server", "moderation", "migrations", "scripts", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                if name not in SQL_CALLS:
                    continue
                why = _formatted(node.args[0])
                rel = str(path.relative_to(ROOT))
                if why and (rel, ast.unparse(node.args[0])) not in ALLOWED:
                    found.append(f"{rel}:{node.lineno}: {why} in {name}(): {ast.unparse(node.args[0])[:120]}")
    return found


def test_no_sql_is_built_by_formatting_strings() -> None:
    assert _violations() == []


def test_the_check_catches_what_it_should() -> None:
    samples = ['text(f"SELECT * FROM t WHERE a = {x}")', 'session.execute("SELECT %s" % x)',
               'conn.exec_driver_sql("SELECT " + x)', 'text("SELECT {}".format(x))']
    for sample in samples:
        call = ast.parse(sample).body[0].value  # type: ignore[attr-defined]
        assert _formatted(call.args[0]), sample
    for fine in ('text("SELECT * FROM t WHERE a = :a")', 'text("SELECT 1 " "FROM t")'):
        call = ast.parse(fine).body[0].value  # type: ignore[attr-defined]
        assert _formatted(call.args[0]) is None, fine
