"""``clinic-desktop [--db DB] <command>``: admin commands without a window.

Errors print one clear line on stderr and exit non-zero, never a traceback. The one report
longer than a line is import-directory's: a line on stderr for each row it did not import.

The directory commands and export-plan act as the console operator, as create-user does: whoever can run
commands against the database already holds it, and the audit trail records "(console)".
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from clinic_desktop import __version__
from clinic_desktop.core import pg
from clinic_desktop.core.errors import ClinicError, ValidationError
from clinic_desktop.core.pg import PasswordNeeded
from clinic_desktop.core.vocab import Role

log = logging.getLogger(__name__)
ROLES = [role.value for role in Role]
CREATING_COMMANDS = {"create-user"}  # the one command that may create the database it names
RECOVERY_WARNING = (
    "Print or write down this recovery key now and keep it locked away; it is shown only once and "
    "stored nowhere. With it an administrator can set a new password when every administrator's "
    "password is lost (clinic-desktop reset-password). Anyone holding it and the database file can "
    "read every record."
)


def _opener() -> argparse.ArgumentParser:
    """The options that open an encrypted database, shared by every admin command."""
    opener = argparse.ArgumentParser(add_help=False)
    group = opener.add_argument_group("an encrypted database")
    group.add_argument("--user", metavar="NAME",
                       help="open it as this staff member (the password is asked for, or read from "
                            "the first line of standard input with --user-password-stdin)")
    group.add_argument("--user-password-stdin", action="store_true",
                       help="read --user's password from the first line of standard input")
    group.add_argument("--recovery-key-stdin", action="store_true",
                       help="open it with the recovery key, read from the first line of standard input")
    return opener


def _keep(text: str) -> int:
    """``--keep``: a whole number within the backup.keep setting's range."""
    from clinic_desktop.core.settings import INTEGER_RANGES

    low, high = INTEGER_RANGES["backup.keep"]
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}") from None
    if not low <= number <= high:
        raise argparse.ArgumentTypeError(f"must be from {low} to {high}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clinic-desktop",
        description="Clinic Desktop. With no command, starts the application window.",
    )
    parser.add_argument("--version", action="version", version=f"Clinic Desktop {__version__}")
    parser.add_argument("--db", metavar="DB",
                        help="database file or SQLAlchemy URL (postgresql+psycopg://...); "
                             "default: $CLINIC_DESKTOP_DB or clinic.db in the user data folder. Never "
                             "a password here: PostgreSQL's comes from ~/.pgpass, or is asked for")
    parser.add_argument("--db-password-stdin", action="store_true",
                        help="when the PostgreSQL server asks for a password, read it from the first line "
                             "of standard input instead of asking at the terminal")
    parser.add_argument("--no-encryption", action="store_true",
                        help="make a new SQLite database unencrypted (for a clinic whose disks are "
                             "encrypted); the window's first start and create-user encrypt by default")
    sub = parser.add_subparsers(dest="command", metavar="command")
    opener = _opener()

    def add(name: str, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[opener], **kwargs)

    p = add("create-user", help="create a user account (on a new path: a new encrypted database, "
                                "whose recovery key is printed once)")
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--full-name", default="", help="the person's name (default: the user name)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    add("demo", help="add invented demo patients (DEMO-0001...) in every stage; idempotent")

    p = add("backup", help="write a consistent copy of the database (safe while the app runs); an "
                           "encrypted one is copied encrypted, with its key file beside the copy")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="FILE", help="write the copy to FILE")
    where.add_argument("--to-folder", type=Path, metavar="DIR",
                       help="write clinic-YYYYmmdd-HHMMSS.db (UTC) into DIR, verify it, and keep the newest "
                            "--keep backups there (SQLite only): for the system's scheduler")
    p.add_argument("--keep", type=_keep, default=None, metavar="K",
                   help="with --to-folder: how many backups to keep (1-365, default 14)")

    p = add("restore", help="replace the database with a checked backup; the old one is kept "
                            "(an encrypted backup opens with --user or --recovery-key-stdin)")
    p.add_argument("--from", dest="source", required=True, type=Path, metavar="FILE")

    p = add("verify-audit", help="check the audit trail's hash chain, and that it still holds the heads this "
                                 "workstation and the backups' manifests saw")
    p.add_argument("--backups", type=Path, metavar="DIR", action="append", default=None,
                   help="a folder of backups whose manifests to compare (repeatable; default: the clinic's "
                        "backup folder, if one is set)")

    add("encrypt", help="encrypt an unencrypted SQLite database: --user names an administrator; a plain "
                        "copy is kept beside it, and the recovery key is printed once")

    p = add("reset-password", help="set a new password with the recovery key (--recovery-key-stdin), "
                                   "when every administrator's password is lost; lifts any lock")
    p.add_argument("--username", required=True)
    p.add_argument("--password-stdin", action="store_true",
                   help="read the new password from standard input (after the recovery key's line)")

    p = add("deactivate-user", help="deactivate a staff account (someone left): it can no longer sign "
                                    "in and, on an encrypted database, its password no longer opens it; "
                                    "never the last active administrator")
    p.add_argument("--username", required=True)

    p = add("reactivate-user", help="reactivate a deactivated account with a new password, which they "
                                    "must change at their next sign-in in the window")
    p.add_argument("--username", required=True)
    p.add_argument("--password-stdin", action="store_true",
                   help="read the new password from standard input (after --user's or the recovery "
                        "key's line, if any)")

    p = sub.add_parser("doctor",
                       help="check this installation (Python, Qt, fonts, database, backups, folders) "
                            "and say what to fix; exit 1 if anything failed. Prints no patient data")
    p.add_argument("--qt-probe", action="store_true", help=argparse.SUPPRESS)  # the plugin check's child

    p = add("export-directory",
                       help="write the referral directory's active entries to a CSV file")
    p.add_argument("file", type=Path, metavar="FILE")

    p = add("import-directory",
                       help="add referral directory entries from a CSV file; nothing is imported "
                            "if any row is refused, unless --only-valid")
    p.add_argument("file", type=Path, metavar="FILE",
                   help="UTF-8 CSV with the header of resources/directory/directory-template.csv")
    p.add_argument("--only-valid", action="store_true",
                   help="import the valid rows even when others are refused (still exits 2)")

    p = add("audit-report", help="a patient's accounting of disclosures (every referral letter, print and export "
                                 "of their record: to whom, under which consent) as PDF or CSV, by --out's suffix")
    p.add_argument("--patient", required=True, metavar="MRN", help="the patient's record number")
    p.add_argument("--from", dest="date_from", type=_day, metavar="YYYY-MM-DD", help="the first day (default: all)")
    p.add_argument("--to", dest="date_to", type=_day, metavar="YYYY-MM-DD", help="the last day (default: today)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf|FILE.csv")

    p = add("export-plan",
                       help="write a patient's aftercare plan as a PDF: the latest finalized version "
                            "as signed, or the current plan watermarked DRAFT when none is final or "
                            "--lang/--large-print ask for another print")
    p.add_argument("--patient", required=True, metavar="MRN", help="the patient's record number")
    p.add_argument("--out", required=True, type=Path, metavar="FILE")
    p.add_argument("--lang", choices=["en", "es"], help="print in this language")
    p.add_argument("--large-print", action=argparse.BooleanOptionalAction, default=None,
                   help="print in large type (--no-large-print: in regular type); "
                        "by default as the plan is set")

    sub.add_parser("self-check",
                   help="check this installation (fonts, migrations, PDF preview, charts, icons, "
                        "printing) on a throw-away database; the clinic's data is not touched")
    return parser


def _stdin_line() -> str:
    return sys.stdin.readline().rstrip("\r\n")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return _stdin_line()
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Repeat the password: ") != first:
        raise ValidationError({"password": "The two passwords differ."})
    return first


def _export_directory(db, target: Path) -> int:
    """Write the CSV next to ``target`` first, then put it in place: no half-written file, and
    only a regular file (see :mod:`clinic_desktop.core.files`)."""
    from clinic_desktop.core.files import private_file
    from clinic_desktop.core.services import directory

    try:
        with private_file(target) as stream:
            count = directory.export_csv_from_console(db, stream)
    except OSError as exc:
        raise ClinicError(f"Cannot write {target}: {exc.strerror or exc}") from None
    print(f"Exported {count} directory entries to {target}")
    return 0


def _import_directory(db, source: Path, only_valid: bool) -> int:
    """The row report (every row not imported, with its line number) goes to stderr. Exit 0 when
    every row is in the directory (imported, or already there); 2 when any row was refused —
    with --only-valid, after importing the valid rows."""
    from clinic_desktop.core.services import directory

    try:
        with source.open("rb") as stream:
            report = directory.check_csv_from_console(db, stream)
    except OSError as exc:
        raise ClinicError(f"Cannot read {source}: {exc.strerror or exc}") from None
    for row in report.problems:
        print(row.describe(), file=sys.stderr)
    result = directory.import_csv_from_console(db, report, only_valid=only_valid)
    for row in result.late_duplicates:
        print(row.describe(), file=sys.stderr)
    if result.refused:
        hint = (f" Use --only-valid to import the {report.ok} valid rows."
                if result.blocked and report.ok else "")
        print(f"{source}: {result.message}{hint}", file=sys.stderr)
        return 2
    print(f"{source}: {result.message}")
    return 0


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day written YYYY-MM-DD (such as 2026-03-31)") from None


def _audit_report(db, mrn: str, date_from: dt.date | None, date_to: dt.date | None, target: Path) -> int:
    """audit-report: the accounting of disclosures, written like every export (a regular file only,
    0600, whole or not at all)."""
    from clinic_desktop.core.files import private_file
    from clinic_desktop.core.services import audit_log

    kind = target.suffix.lower()
    if kind not in {".pdf", ".csv"}:
        raise ClinicError(f"{target}: name the report FILE.pdf or FILE.csv.")
    accounting = audit_log.disclosures(db, None, mrn, date_from=date_from, date_to=date_to)
    data = audit_log.disclosures_pdf(db, None, accounting) if kind == ".pdf" else audit_log.disclosures_csv(accounting)
    try:
        with private_file(target) as stream:
            stream.write(data)
    except OSError as exc:
        raise ClinicError(f"Cannot write {target}: {exc.strerror or exc}") from None
    count = len(accounting.disclosures)
    print(f"Wrote the accounting of disclosures of {mrn} ({count} disclosure{'s' if count != 1 else ''}) to {target}")
    return 0


def _export_plan(db, mrn: str, target: Path, language: str | None, large_print: bool | None) -> int:
    """The PDF goes next to ``target`` first (before the export is recorded), then in place;
    only a regular file (see :mod:`clinic_desktop.core.files`)."""
    from clinic_desktop.core.files import private_file
    from clinic_desktop.core.services import plans

    try:
        with private_file(target) as stream:
            result = plans.export_plan_from_console(db, mrn, language=language,
                                                    large_print=large_print, deliver=stream.write)
    except OSError as exc:
        raise ClinicError(f"Cannot write {target}: {exc.strerror or exc}") from None
    what = (f"version {result.version} as finalized" if result.version is not None
            else "the current plan, watermarked DRAFT: not a finalized version")
    print(f"Exported {mrn}'s aftercare plan ({what}) to {target}")
    return 0


def _doctor(db_target: str | None) -> int:
    """One line per check on stdout (✓/✗ and what to do), then a summary; 1 if any check failed."""
    from clinic_desktop.core.doctor import all_passed, report
    from clinic_desktop.doctor import installation_checks

    checks = installation_checks(db_target)
    try:
        "✓✗→".encode(sys.stdout.encoding or "ascii")
        ascii_only = False
    except (UnicodeEncodeError, LookupError):  # e.g. a Windows console's code page
        ascii_only = True
    print(report(checks, ascii_only=ascii_only))
    return 0 if all_passed(checks) else 1


@dataclass(frozen=True)
class Credentials:
    """How an admin command opens an encrypted database: a staff member's name and password, or
    the recovery key, each read once (from a prompt or standard input's first line)."""

    username: str | None = None
    password: str = field(default="", repr=False)
    recovery_key: str = field(default="", repr=False)

    @classmethod
    def read(cls, args: argparse.Namespace) -> Credentials | None:
        if args.recovery_key_stdin:  # typed at a terminal: asked for, and not echoed
            typed = getpass.getpass("Recovery key: ") if sys.stdin.isatty() else _stdin_line()
            return cls(recovery_key=typed)
        if args.user:
            password = _stdin_line() if args.user_password_stdin else getpass.getpass(f"Password for {args.user}: ")
            return cls(username=args.user, password=password)
        return None

    def unlock(self, key_file):
        """The data key from ``key_file`` (a backup's, for restore)."""
        from clinic_desktop.core.services.accounts import name_in_key_file

        if self.username is None:
            return key_file.unlock_with_recovery(self.recovery_key)
        return key_file.unlock(name_in_key_file(key_file, self.username), self.password)


def _open(args: argparse.Namespace, credentials: Credentials | None, password: str | None = None):
    """The database the command works on. An encrypted one opens with ``credentials``: --user's
    password, checked as a sign-in is (audited; an inactive or locked account refused), or the
    recovery key. create-user on a new path makes a new, encrypted database (unless
    --no-encryption) and prints its recovery key once."""
    from clinic_desktop.core import db as dbmod
    from clinic_desktop.core.services import vault

    path = vault.sqlite_file(args.db)
    creating = args.command in CREATING_COMMANDS
    if creating and path is not None and not path.exists() and not args.no_encryption:
        made = vault.create_encrypted(args.db)
        print(f"Created a new encrypted clinic database at {path}.")
        print(f"RECOVERY KEY: {made.recovery_key}")
        print(RECOVERY_WARNING)
        return made.db
    if credentials is not None and path is not None and dbmod.is_encrypted(path):
        if credentials.username is None:
            return vault.open_with_recovery_key(args.db, credentials.recovery_key)
        return vault.unlock(args.db, credentials.username, credentials.password)[0]
    return dbmod.open_database(args.db, create=creating, password=password)


def _database_password(args: argparse.Namespace, asked: PasswordNeeded) -> str:
    """The PostgreSQL password, asked for because the server wants one (``asked`` says for what):
    the first line of standard input with --db-password-stdin, else typed at the terminal."""
    if args.db_password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ClinicError(f"{asked} (Without a terminal, --db-password-stdin reads it from standard input.)")
    if asked.refused:
        print("The server refused that password.", file=sys.stderr)
    return getpass.getpass(f"PostgreSQL password for {pg.who(asked.url)}: ")


def _offer_to_save(args: argparse.Namespace, url, password: str) -> None:
    """After a typed password worked: offer to keep it in libpq's password file (0600)."""
    if args.db_password_stdin or not sys.stdin.isatty():
        return
    where = pg.pgpass_path()
    answer = input(f"Save this password in {where} (readable by this account only) for next time? [y/N] ")
    if answer.strip().lower() in ("y", "yes"):
        pg.save_password(url, password)
        print(f"Saved in {where}.")


def run_asking_for_password(args: argparse.Namespace) -> int:
    """:func:`run`; when the PostgreSQL server asks for a password, ask it (three tries at the
    terminal, one from standard input) and run again with it, then offer to save it."""
    password: str | None = None
    tries = 1 if args.db_password_stdin else 3
    for tried in range(tries + 1):
        try:
            status = run(args, password)
        except PasswordNeeded as asked:
            if tried == tries:
                raise
            password, url = _database_password(args, asked), asked.url
            continue
        if password is not None:
            _offer_to_save(args, url, password)
        return status
    raise AssertionError("unreachable")  # pragma: no cover


def run(args: argparse.Namespace, password: str | None = None) -> int:
    """Run the command; ``password``: the PostgreSQL password typed when the server asked."""
    from clinic_desktop.core import db as dbmod
    from clinic_desktop.core.services import accounts, audit, backup, demo, vault

    if args.command == "self-check":
        from clinic_desktop.self_check import run_self_check

        return 0 if run_self_check() else 1
    if args.command == "reset-password" and not args.recovery_key_stdin:
        raise ValidationError({"recovery_key": "reset-password needs the recovery key: --recovery-key-stdin."})
    if args.command == "encrypt" and not args.user:
        raise ValidationError({"user": "encrypt needs an administrator: --user NAME."})
    credentials = Credentials.read(args)
    if args.command == "encrypt":
        assert credentials is not None and credentials.username is not None
        done = vault.encrypt(args.db, credentials.username, credentials.password)
        print(f"Encrypted the database. The unencrypted copy was kept as {done.plain_copy}: "
              "delete it (securely) once the encrypted database is known to work.")
        print(f"RECOVERY KEY: {done.recovery_key}")
        print(RECOVERY_WARNING)
        print("Each other staff member can open the database at the next start once they have signed "
              "in on it (the lock screen), or once an administrator sets their password.")
        return 0
    if args.command == "backup":
        if args.keep is not None and args.to_folder is None:
            raise ClinicError("--keep goes with --to-folder; --out writes one file and removes nothing.")
        path = vault.sqlite_file(args.db)
        key = None
        if args.out is not None:
            backup.check_out(args.db, args.out)  # a refused target: refused before anyone signs in
        if path is not None and dbmod.is_encrypted(path):  # the copy is made with the key
            opened = _open(args, credentials)
            key = opened.key
            opened.dispose()
        encrypted = " encrypted, its key file beside it;" if key else ""
        if args.to_folder is not None:
            from clinic_desktop.core.settings import DEFAULTS

            made = backup.backup_to_folder(args.db, args.to_folder,
                                           args.keep if args.keep is not None else DEFAULTS["backup.keep"],
                                           key=key)
            print(f"Backed up to {made.path} (verified;{encrypted} manifest {made.manifest.name})")
            for old in made.pruned:
                print(f"Removed the older backup {old}")
            return 0
        out = backup.backup(args.db, args.out, key=key, password=password)
        manifest = backup.manifest_path(out)
        notes = ([f"encrypted; its key file is {out}.keys"] if key else []) + \
            ([f"manifest {manifest.name}"] if manifest.exists() else [])
        print(f"Backed up to {out}" + (f" ({'; '.join(notes)})" if notes else ""))
        return 0
    if args.command == "restore":
        kept = backup.restore(args.db, args.source, unlock=credentials.unlock if credentials else None,
                              password=password)
        if kept is None:  # PostgreSQL: restored into an empty database, nothing replaced
            print(f"Restored from {args.source} into the empty database, and checked it.")
        else:
            print(f"Restored from {args.source}. The replaced database was kept as {kept}")
        return 0

    new_password = None
    if args.command in {"create-user", "reset-password", "reactivate-user"}:
        new_password = _read_password(args)  # before anything is made: a refused one makes nothing
        problem = accounts.password_problem(new_password, accounts.normalize_username(args.username))
        if problem:
            raise ValidationError({"password": problem})
    # Only create-user makes a database that is not there: a mistyped --db must not become a new
    # empty database that then looks "intact".
    db = _open(args, credentials, password)
    try:
        if args.command == "create-user":
            assert new_password is not None
            user = accounts.create_user_from_console(db, args.username, args.full_name, args.role, new_password)
            print(f"Created {user.role.value} account {user.username!r}.")
        elif args.command == "reset-password":
            assert new_password is not None
            vault.reset_password(db, args.username, new_password)
            print(f"Set a new password for {args.username!r}; the account is unlocked.")
        elif args.command == "deactivate-user":
            user = accounts.deactivate_from_console(db, args.username)
            print(f"Deactivated {user.username!r}: the account can no longer sign in"
                  + (" or open the encrypted database." if db.key is not None else "."))
        elif args.command == "reactivate-user":
            assert new_password is not None
            user = accounts.reactivate_from_console(db, args.username, new_password)
            print(f"Reactivated {user.username!r} with the new password; they choose their own at "
                  "their next sign-in in the window.")
        elif args.command == "demo":
            added = demo.seed(db)
            print(f"Added {added} demo patients." if added else "The demo patients are already there.")
        elif args.command == "verify-audit":
            return _verify_audit(db, args.backups)
        elif args.command == "export-directory":
            return _export_directory(db, args.file)
        elif args.command == "import-directory":
            return _import_directory(db, args.file, args.only_valid)
        elif args.command == "audit-report":
            return _audit_report(db, args.patient, args.date_from, args.date_to, args.out)
        elif args.command == "export-plan":
            return _export_plan(db, args.patient, args.out, args.lang, args.large_print)
    finally:
        audit.keep_anchor(db)  # the head this workstation saw (only ever forward along the chain)
        db.dispose()
    return 0


def _verify_audit(db, folders: list[Path] | None) -> int:
    """verify-audit: the chain, this workstation's anchor and the manifests of the backups in
    ``folders`` (the clinic's backup folder when none is named; a folder that is not there —
    a drive not plugged in — is said, not fatal unless it was named)."""
    from clinic_desktop.core.errors import DatabaseProblem
    from clinic_desktop.core.services import audit, backup
    from clinic_desktop.core.services import settings as settings_service

    named = folders is not None
    if folders is None:
        setting = str(settings_service.get(db, "backup.folder") or "")
        folders = [Path(setting)] if setting else []
    anchors: list[audit.Anchor] = []
    for folder in folders:
        try:
            anchors += backup.manifest_anchors(folder.expanduser(), db.url)
        except OSError as exc:
            if named:
                raise DatabaseProblem(f"Cannot read the backup folder {folder}: {exc.strerror or exc}.") from None
            print(f"(The backup folder {folder} cannot be read now, so its manifests were not compared.)")
    report = audit.verify(db, anchors=anchors)
    if not report.intact:
        where = f" at event {report.first_broken_seq}" if report.first_broken_seq else ""
        print(f"Audit trail BROKEN{where}: {report.problem} "
              f"({report.count} events verified).", file=sys.stderr)
        return 3
    compared = (f"; it agrees with the {report.anchors} anchor{'s' if report.anchors != 1 else ''} "
                "(this workstation's, the backups' manifests)") if report.anchors else ""
    print(f"Audit trail intact: {report.count} events{compared}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    from clinic_desktop.paths import keep_private

    keep_private()  # before anything is written: the window and every command
    parser = build_parser()
    args = parser.parse_args(argv)
    if pg.password_in_target(args.db):  # before anything connects, the window's start included
        print(f"clinic-desktop: {pg.PASSWORD_ON_COMMAND_LINE}", file=sys.stderr)
        return 2
    if args.command is None:
        from clinic_desktop.app import run_gui

        return run_gui(args.db, encrypt=not args.no_encryption)
    if args.command == "doctor":  # only looks: no log file, nothing opened for writing
        if args.qt_probe:
            from clinic_desktop.doctor import qt_probe_main

            return qt_probe_main()
        return _doctor(args.db)
    from clinic_desktop.logs import log_error, setup_logging

    setup_logging()
    try:
        return run_asking_for_password(args)
    except ValidationError as exc:
        print(f"clinic-desktop: {exc}", file=sys.stderr)
        return 2
    except ClinicError as exc:
        print(f"clinic-desktop: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("clinic-desktop: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: one line for staff, details to the log
        log_error(log, f"command {args.command} failed", exc)
        print(f"clinic-desktop: {args.command} failed: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
