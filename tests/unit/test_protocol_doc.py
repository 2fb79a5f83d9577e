"""docs/protocol.md names every WebSocket frame, both ways, and every close code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from server import ws
from server.ws_handlers import FRAME_TYPES

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "protocol.md").read_text()
# Names in backticks in the doc's tables: `join`, `left {"room_id"}`, `case_opened` · `case_updated`.
IN_TABLES = {name for line in DOC.splitlines() if line.startswith("|") for name in re.findall(r"`([a-z_]+)(?=[`\s])", line)}

# Events that travel between server processes and never reach a client as a frame.
BETWEEN_PROCESSES = {
    "presence": "each process's live room counts (server/presence.py)",
    "watchlist_changed": "empties every process's watched-word cache (moderation/watchlist.py)",
    "session_ended": "closes that session's sockets (server/ws.py); the client sees the close code and reason",
}


def _strings(node: ast.AST) -> set[str]:
    """The strings an expression can be: a literal, or either side of `a if … else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def _types_the_server_writes() -> dict[str, str]:
    """Every `"type"` the code puts in an event or frame: literals, locals chosen
    from literals, and literals passed to helpers that take the type as a parameter
    (`_emit_change(tx, "message_edited", …)`, `announce(tx, case, "case_opened")`)."""
    sources = [p for p in [*(ROOT / "server").rglob("*.py"), *(ROOT / "moderation").rglob("*.py")]
               if p.name != "openapi.py"]  # JSON Schema's "type" is not a frame
    trees = {str(p.relative_to(ROOT)): ast.parse(p.read_text()) for p in sources}
    found: dict[str, str] = {}
    helpers: dict[str, set[tuple[int, str]]] = {}  # function name -> (position, name) of its type parameter
    for where, tree in trees.items():
        for function in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
            params = [a.arg for a in function.args.args if a.arg not in ("self", "cls")]
            defaults = dict(zip(params[len(params) - len(function.args.defaults):], function.args.defaults))
            for node in ast.walk(function):
                if not isinstance(node, ast.Dict):
                    continue
                for key, value in zip(node.keys, node.values):
                    if not (isinstance(key, ast.Constant) and key.value == "type"):
                        continue
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.setdefault(value.value, where)
                    elif isinstance(value, ast.Name) and value.id in params:
                        helpers.setdefault(function.name, set()).add((params.index(value.id), value.id))
                        if value.id in defaults:
                            found.update({name: where for name in _strings(defaults[value.id])})
                    elif isinstance(value, ast.Name):  # a local chosen from literals
                        for assign in ast.walk(function):
                            if isinstance(assign, ast.Assign) and any(isinstance(t, ast.Name) and t.id == value.id for t in assign.targets):
                                found.update({name: where for name in _strings(assign.value)})
    for where, tree in trees.items():
        for call in [n for n in ast.walk(tree) if isinstance(n, ast.Call)]:
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
            if name not in helpers:
                continue
            for position, param in helpers[name]:
                given = [k.value for k in call.keywords if k.arg == param] + call.args[position:position + 1]
                for node in given:
                    found.update({value: where for value in _strings(node)})
    return found


def test_every_frame_a_client_may_send_is_documented() -> None:
    assert sorted(FRAME_TYPES - IN_TABLES) == []


def test_every_frame_the_server_sends_is_documented() -> None:
    written = _types_the_server_writes()
    assert set(BETWEEN_PROCESSES) <= set(written), "a between-processes event is gone: drop it from the list"
    undocumented = {name: where for name, where in written.items() if name not in IN_TABLES and name not in BETWEEN_PROCESSES}
    assert undocumented == {}, "add these frames to docs/protocol.md"
    assert {"hello", "ack", "message", "message_edited", "message_deleted", "error", "resync"} <= set(written)


def test_every_close_code_is_documented() -> None:
    codes = {value for name, value in vars(ws).items() if name.startswith("CLOSE_")} | {1009, 1011}  # 1009, 1011: uvicorn's
    assert {code for code in codes if f"| {code} |" not in DOC} == set()
