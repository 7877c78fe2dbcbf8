"""The ``tergeu`` command: run the product, seed the demo, run workers, manage.

``tergeu demo`` is the one command that turns a fresh checkout into a running product:
it migrates the embedded SQLite database, seeds deterministic demo data, prints the URL
and the demo accounts, and serves.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tergeu.settings")
    import django

    django.setup()


def _prepare() -> None:
    """Migrate the database and compile translations."""
    from django.core.management import call_command

    from tergeu.web.translations import compile_catalogues

    compile_catalogues()
    _setup()
    call_command("migrate", verbosity=0, interactive=False)


def _url(args: argparse.Namespace) -> str:
    return f"http://{args.host}:{args.port}/"


def _server(args: argparse.Namespace) -> Any:
    """A waitress server bound to the address (None, with a message, if it is taken)."""
    from waitress.server import create_server

    from tergeu.wsgi import application

    try:
        return create_server(
            application, host=args.host, port=args.port, threads=args.threads, ident="tergeu"
        )
    except OSError as exc:
        print(
            f"Cannot listen on {args.host}:{args.port} ({exc.strerror}); "
            "choose another address with --host/--port.",
            file=sys.stderr,
        )
        return None


def _run(server: Any) -> int:
    """Serve until interrupted (Ctrl+C)."""
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web UI and the API with waitress (a production WSGI server)."""
    _prepare()
    server = _server(args)
    if server is None:
        return 1
    print(f"Tergeu is running at {_url(args)}", flush=True)
    return _run(server)


def cmd_demo(args: argparse.Namespace) -> int:
    """Seed the demo data (idempotent), print the URL and the accounts, then serve.

    With ``--no-serve`` it seeds, prints the accounts and exits. A demo delivers no SMS or
    e-mail, so the public report form shows its one-time codes (TERGEU_SHOW_OTP).
    """
    os.environ.setdefault("TERGEU_SHOW_OTP", "1")
    _prepare()
    from django.utils import translation

    from tergeu.demo.seed import DEMO_PASSWORD, is_seeded, seed

    if not is_seeded():
        print(f"Seeding the demo data ({args.cases} cases)...", file=sys.stderr, flush=True)
    with translation.override("en"):
        accounts = seed(cases=args.cases)
    _demo_pki()
    server = None
    if not args.no_serve:
        server = _server(args)
        if server is None:
            return 1
        print(f"Tergeu is running at {_url(args)}")
    print(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
    for username, role, org in accounts:
        print(f"  {username:<22} {role:<22} {org}")
    sys.stdout.flush()
    return 0 if server is None else _run(server)


def _demo_pki() -> None:
    """The demo's PKI: root, issuing CAs, TSA and a signing certificate per official."""
    import io

    from django.core.management import call_command

    call_command("pki_init", stdout=io.StringIO())


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the background worker (django-tasks database backend) and outbox delivery."""
    _prepare()
    from django.core.management import call_command

    from tergeu.deadlines import alerts as deadline_alerts
    from tergeu.legalaid import periodic as legalaid
    from tergeu.notifications import worker as outbox
    from tergeu.notifications.smpp.receipts import start_receipt_listener

    listener = None
    if not args.once:
        from tergeu.integrity.schedule import start_thread

        start_thread()  # a signed checkpoint every TERGEU_CHECKPOINT_SECONDS (0 = off)
        outbox.start_thread()  # SMS and e-mail of the outbox (docs/notifications.md)
        listener = start_receipt_listener()  # SMS receipts; None without an SMSC (docs/sms.md)
        legalaid.start_thread()  # unanswered offers go to the next lawyer (docs/legal-aid.md)
        deadline_alerts.start_thread()  # warnings and escalations of terms (docs/deadlines.md)
    else:
        legalaid.expire_offers()  # unanswered offers go to the next lawyer (docs/legal-aid.md)
        deadline_alerts.run_alerts()  # warnings and escalations of terms (docs/deadlines.md)
        outbox.deliver_all()  # what is due now, then exit
    try:
        call_command("db_worker", *(["--batch"] if args.once else []))
    finally:
        if listener is not None:
            listener.stop()  # records the receipts it holds, unbinds
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    """Pass the rest of the command line to Django's management commands."""
    from tergeu.web.translations import compile_catalogues

    compile_catalogues()
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tergeu", *args.rest])
    return 0


def cmd_export_case(args: argparse.Namespace) -> int:
    """Write the verifiable archive of a case (docs/export-format.md); print path and SHA-256."""
    _setup()
    from tergeu.integrity.export import command

    return command(
        args.erdr_number, output=args.output, username=args.as_user, include_files=not args.no_files
    )


def cmd_verify(args: argparse.Namespace) -> int:
    """Check an exported archive offline (no settings, no database), or the database itself."""
    if args.database:
        _setup()
        from tergeu.integrity.verify_database import command as check_database

        return check_database()
    from tergeu.integrity.verify_archive import command as check_archive

    return check_archive(args.archive, root=args.root, log_key=args.log_key)


def cmd_qualification(args: argparse.Namespace) -> int:
    """``qualification evaluate FILE``: accuracy of the triage and qualification assistant;
    ``qualification agreement``: how often officials agreed with its proposals."""
    _setup()
    if args.action == "agreement":
        from tergeu.intake.review import agreement_command

        return agreement_command(days=args.days, body=args.body, as_json=args.json)
    from tergeu.qualification.evaluate import command

    return command(args.file, as_json=args.json, on=args.on)


def cmd_deadlines(args: argparse.Namespace) -> int:
    """``deadlines calendar load FILE``: load a year's production calendar (validated);
    ``deadlines recompute [ERDR_NO ...]``: rebuild clocks from the journal (docs/deadlines.md)."""
    _setup()
    if args.action == "calendar":
        from tergeu.deadlines.calendar import command as load_calendar

        return load_calendar(args.file)
    from tergeu.deadlines.rebuild import command as recompute

    return recompute(args.erdr_numbers)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``tergeu`` command."""
    parser = argparse.ArgumentParser(
        prog="tergeu", description="Tergeu: electronic criminal proceedings (ERDR and the e-case)."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def server_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default=os.environ.get("TERGEU_HOST", "127.0.0.1"))
        p.add_argument("--port", type=int, default=int(os.environ.get("TERGEU_PORT", "8000")))
        p.add_argument("--threads", type=int, default=8)

    p = sub.add_parser("demo", help="seed demo data, print accounts and serve")
    server_args(p)
    p.add_argument("--cases", type=int, default=300, help="number of demo cases")
    p.add_argument("--no-serve", action="store_true", help="seed and exit")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve the web UI and API")
    server_args(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run the background worker")
    p.add_argument("--once", action="store_true", help="process what is queued and exit")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("export-case", help="write a verifiable archive of a case")
    p.add_argument("erdr_number", metavar="ERDR_NO")
    p.add_argument("--output", "-o", help="the archive to write (default: ./case-ERDR-TIME.zip)")
    p.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        help="act as this member of the case team (default: the case's investigator)",
    )
    p.add_argument("--no-files", action="store_true", help="evidence files as hashes only")
    p.set_defaults(func=cmd_export_case)

    p = sub.add_parser("verify", help="verify an exported case offline, or the database")
    p.add_argument("archive", nargs="?", metavar="ARCHIVE")
    p.add_argument("--root", metavar="FILE", help="trusted root certificate(s), PEM or DER")
    p.add_argument("--log-key", metavar="FILE_OR_VKEY", help="the journal's verifier key")
    p.add_argument("--database", action="store_true", help="re-derive and check the database")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("qualification", help="the triage and qualification assistant")
    qsub = p.add_subparsers(dest="action", required=True)
    q = qsub.add_parser("evaluate", help="accuracy on a labelled JSON Lines file")
    q.add_argument("file", metavar="FILE.jsonl")
    q.add_argument("--json", action="store_true", help="print the figures as JSON")
    q.add_argument("--on", metavar="YYYY-MM-DD", help="date of the offences (MCI year)")
    q.set_defaults(func=cmd_qualification)
    q = qsub.add_parser("agreement", help="how often officials agreed with the proposals")
    q.add_argument("--days", type=int, default=30, help="decisions of the last N days (0: all)")
    q.add_argument("--body", default="", metavar="CODE", help="only this body's reports")
    q.add_argument("--json", action="store_true", help="print the figures as JSON")
    q.set_defaults(func=cmd_qualification)

    p = sub.add_parser("deadlines", help="procedural time limits: calendar, recompute")
    dsub = p.add_subparsers(dest="action", required=True)
    d = dsub.add_parser("calendar", help="the production calendar of a year")
    d.add_argument("verb", choices=["load"])
    d.add_argument("file", metavar="FILE.toml")
    d.set_defaults(func=cmd_deadlines)
    d = dsub.add_parser("recompute", help="rebuild clocks from the journal")
    d.add_argument("erdr_numbers", nargs="*", metavar="ERDR_NO", help="default: all open cases")
    d.set_defaults(func=cmd_deadlines)

    p = sub.add_parser("manage", help="run a Django management command")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
