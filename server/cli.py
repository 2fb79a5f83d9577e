"""The `hearth` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Sequence

from server.config import ConfigError, Settings, load_settings
from server.errors import HearthError


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        print(f"hearth: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def uvicorn_config(settings: Settings, app: object) -> object:
    import uvicorn

    from server.transport import protocols

    # Our subclasses add the deadlines uvicorn lacks (slowloris, stalled readers).
    http_protocol, ws_protocol = protocols(settings.request_timeout_seconds, settings.ws_stall_seconds)
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=settings.port,
        http=http_protocol,
        # wsproto (default) carries our stalled-writer deadline (server/transport.py);
        # websockets-sansio costs less CPU per frame (docs/performance.md) without it.
        ws=ws_protocol if settings.ws_impl == "wsproto" else settings.ws_impl,
        ws_max_size=64 * 1024,  # uvicorn's default is 16 MiB; OWASP advises 64 KiB
        ws_max_queue=16,
        ws_per_message_deflate=False,  # no compression bombs, no CRIME-style leaks
        ws_ping_interval=float(settings.ws_ping_seconds),  # half-open sockets fail the ping and are closed
        ws_ping_timeout=float(settings.ws_ping_seconds),
        # The client address (for rate limits only) comes from X-Forwarded-For
        # only when the connection is from a configured proxy; none by default,
        # so a client cannot pick the address its attempts are counted under.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or "",
        access_log=False,  # access lines carry client addresses
        log_config=None,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=10,
        lifespan="on",
    )


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """glibc gives each thread that allocates its own malloc arena. The serving
    process has a handful (SQLite's connection threads, password hashing), each
    keeping its own free memory: capping them at two saves ~2 MB of a ~90 MB
    process at no measured cost in speed (docs/performance.md). Must run before
    those threads start. False where the C library is not glibc."""
    import ctypes
    import ctypes.util

    m_arena_max = -8  # from glibc's malloc.h
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(m_arena_max, arenas))
    except (OSError, AttributeError):
        return False


def drop_docstrings() -> None:
    """Serve under `python -OO`: the docstrings of everything imported (SQLAlchemy's
    alone are megabytes) stay out of memory, ~4 MB of an idle server's ~78
    (docs/performance.md). Nothing here reads a docstring at run time. Replaces this
    process (same pid) before anything heavy is imported; a no-op once optimised."""
    if sys.flags.optimize >= 2:
        return
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-OO", *sys.orig_argv[1:]])


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server import logs
    from server.db import MigrationFailed, migrate_apart

    settings = _settings()
    if args.host:
        settings = _replace(settings, host=args.host)
    if args.port:
        settings = _replace(settings, port=args.port)
    logs.configure(settings.log_level)
    if not args.no_migrate:
        try:
            migrate_apart(settings)  # before the app's imports: the child starts small
        except MigrationFailed as error:
            print(f"hearth: {error}", file=sys.stderr)
            return 1
    limit_malloc_arenas()  # before any thread starts
    from server.app import create_app

    server = uvicorn.Server(uvicorn_config(settings, create_app(settings)))  # type: ignore[arg-type]
    print(f"Hearth is listening on http://{settings.host}:{settings.port}", file=sys.stderr, flush=True)
    server.run()
    return 0


def _replace(settings: Settings, **changes: object) -> Settings:
    """Command-line flags win over the environment; reload so derived values follow."""
    import os

    env = dict(os.environ)
    for key, value in changes.items():
        env[f"HEARTH_{key.upper()}"] = str(value)
    try:
        return load_settings(env)
    except ConfigError as error:
        print(f"hearth: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def cluster(args: argparse.Namespace) -> int:
    from server import logs
    from server.cluster import check_topology, run_cluster
    from server.db import migrate

    settings = _replace(_settings(), port=args.port) if args.port else _settings()
    problem = check_topology(settings, args.processes)
    if problem:
        print(f"hearth cluster: {problem}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    migrate(settings)  # once, before any process starts
    return asyncio.run(run_cluster(settings, args.processes, restart=not args.no_restart))


def migrate_cmd(args: argparse.Namespace) -> int:
    from server.db import migrate

    migrate(_settings())
    print("Database is up to date.")
    return 0


def _run_action(coro_factory: object) -> int:
    from server.services import Hearth

    settings = _settings()

    async def run() -> int:
        h = Hearth(settings)
        # Started, so events (a role change, ended sessions) reach running servers through Redis.
        await h.start()
        try:
            return await coro_factory(h)  # type: ignore[operator,no-any-return]
        finally:
            await h.stop()

    try:
        return asyncio.run(run())
    except HearthError as error:
        print(f"hearth: {error.detail}", file=sys.stderr)
        return 1


def user_create(args: argparse.Namespace) -> int:
    from server.actions.accounts import create_user
    from server.db import migrate

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    migrate(_settings())

    async def action(h: object) -> int:
        user, codes = await create_user(h, args.pseudonym, password, args.role)  # type: ignore[arg-type]
        print(f"Created {user.pseudonym} ({user.role}). Recovery codes (shown once):")
        print("\n".join(codes))
        return 0

    return _run_action(action)


def user_set_role(args: argparse.Namespace) -> int:
    from server.actions.accounts import set_role

    async def action(h: object) -> int:
        user = await set_role(h, args.pseudonym, args.role)  # type: ignore[arg-type]
        print(f"{user.pseudonym} is now {user.role}.")
        return 0

    return _run_action(action)


def user_reset_second_factor(args: argparse.Namespace) -> int:
    from server.actions.second_factor import reset

    async def action(h: object) -> int:
        user = await reset(h, args.pseudonym)  # type: ignore[arg-type]
        print(f"{user.pseudonym}'s authenticator app was removed and their sessions ended. "
              "They can log in with their password and set up a new one.")
        return 0

    return _run_action(action)


def moderation_eval(args: argparse.Namespace) -> int:
    from moderation.crisis.evaluate import main as evaluate

    return evaluate(args.rest)


def build_parser() -> argparse.ArgumentParser:
    from server.models.accounts import ROLES

    parser = argparse.ArgumentParser(prog="hearth", description="Hearth peer-support server")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="apply migrations and serve")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--no-migrate", action="store_true", help="skip migrations (another process runs them)")
    p.set_defaults(func=serve)

    p = commands.add_parser("cluster", help="N server processes on PostgreSQL + Redis behind a local balancer")
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--port", type=int, help="the balancer's port (processes use the next N ports)")
    p.add_argument("--no-restart", action="store_true", help="leave a crashed process down")
    p.set_defaults(func=cluster)

    p = commands.add_parser("migrate", help="apply pending database migrations")
    p.set_defaults(func=migrate_cmd)

    users = commands.add_parser("user", help="manage accounts").add_subparsers(dest="user_command", required=True)
    p = users.add_parser("create", help="create an account (e.g. staff)")
    p.add_argument("pseudonym")
    p.add_argument("--role", choices=ROLES, default="member")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=user_create)
    p = users.add_parser("set-role", help="change an account's role")
    p.add_argument("pseudonym")
    p.add_argument("role", choices=ROLES)
    p.set_defaults(func=user_set_role)
    p = users.add_parser("reset-second-factor", help="remove an account's authenticator app (a lost phone)")
    p.add_argument("pseudonym")
    p.set_defaults(func=user_reset_second_factor)

    mod = commands.add_parser("moderation", help="crisis detector tools").add_subparsers(dest="mod_command", required=True)
    p = mod.add_parser("eval", help="measure the crisis detector on a labelled JSONL file", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=moderation_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["serve"]:
        drop_docstrings()  # first: the parser below imports the models, which the new process would import again
    args = build_parser().parse_args(argv)
    if args.command != "moderation":
        # Before the command imports anything: modules read some settings on import
        # (the crisis rules), and a bad value must stop here naming its variable.
        _settings()
    return int(args.func(args))
