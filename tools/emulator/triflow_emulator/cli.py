"""Command line: ``python -m triflow_emulator {serve,start,stop,status,reset,endpoint,build-postgres}``."""

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from triflow_emulator import control, faults, pginstall
from triflow_emulator.config import DEFAULT_PORT, PORT_ENV, STATE_DIR_ENV, ConfigError, Settings, load_settings

EXIT_USAGE = 2
BUILD_POSTGRES = "build-postgres"

COMMANDS: dict[str, tuple[str, Callable[[Settings], int]]] = {
    "start": ("start the emulator in the background and wait until it answers", control.start),
    "stop": ("stop the background emulator (SIGTERM, then SIGKILL)", control.stop),
    "status": ("print running / not running; exit 0 if running, 3 if not", control.status),
    "reset": ("wipe all emulator state (POST /moto-api/reset)", control.reset),
    "endpoint": ("print the endpoint URL", control.endpoint),
}


def _serve(settings: Settings) -> int:
    from triflow_emulator.server import serve

    return serve(settings.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m triflow_emulator",
        description=(
            "Local AWS emulator: moto's server with triflow patches, on 127.0.0.1. "
            f"Port: --port, else ${PORT_ENV}, else {DEFAULT_PORT}. "
            f"State dir (pid file, log): ${STATE_DIR_ENV}, else <repo>/.emulator."
        ),
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--port", type=int, default=None, help=f"port (overrides ${PORT_ENV})")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("serve", parents=[common], help="run the emulator in the foreground")
    for name, (help_text, _) in COMMANDS.items():
        command = sub.add_parser(name, parents=[common], help=help_text)
        if name == "start":
            command.add_argument("--timeout", type=float, default=None, help="seconds to wait for it to answer")
    sub.add_parser(
        BUILD_POSTGRES,
        help=f"build the RDS data plane's PostgreSQL + pgvector unless it is built (in ${pginstall.DIR_ENV})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == BUILD_POSTGRES:
        return pginstall.main()
    try:
        settings = load_settings(port=args.port, start_timeout=getattr(args, "timeout", None))
        if args.command in ("start", "serve"):
            faults.from_environment(dict(os.environ))  # a bad spec fails here, not in the server's log
    except ConfigError as exc:
        print(f"triflow-emulator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    run = _serve if args.command == "serve" else COMMANDS[args.command][1]
    try:
        return run(settings)
    except control.LauncherError as exc:
        print(f"triflow-emulator {args.command}: {exc}", file=sys.stderr)
        return control.EXIT_FAILED
