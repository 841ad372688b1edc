"""The command line: the only place that prints and exits."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from .diagnostics import Diagnostic, PipelineError, Severity, UsageError, has_errors

DEFAULT_HANDBOOK = "ct-trafficking"


def _print(diagnostics: Sequence[Diagnostic]) -> None:
    for d in diagnostics:
        print(d, file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from .importer import dump_yaml, import_handbook
    from .output import write_atomic
    from .source import read_text

    path = Path(args.file)
    text = read_text(path, str(path))
    data = import_handbook(text, str(path), args.id, args.title, date.fromisoformat(args.edition) if args.edition else date.today())
    target = Path(args.root) / "source" / args.id / "handbook.yaml"
    if target.exists() and not args.force:
        raise UsageError([Diagnostic(Severity.ERROR, "import-exists", f"{target} exists; pass --force to replace it", _place(target))])
    write_atomic(target, dump_yaml(data).encode())
    entries = sum(len(s["entries"]) for s in data["sections"])
    print(f"imported {entries} questions into {target}")
    return 0


def _place(path: Path):  # type: ignore[no-untyped-def]
    from .diagnostics import Place

    return Place(str(path))


def _project(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from .build import Project

    return Project(Path(args.root))


def cmd_check(args: argparse.Namespace) -> int:
    from .build import check

    project = _project(args)
    ids = [args.handbook] if args.handbook else project.handbooks()
    diagnostics = check(project, ids)
    _print(diagnostics)
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(f"checked {len(ids)} handbook(s): {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    project = _project(args)
    for path in build(project, args.handbook, args.lang, allow_partial=args.allow_partial, size=args.size, press=args.press):
        print(f"wrote {path.relative_to(project.root) if path.is_relative_to(project.root) else path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="handbook", description="Build localized PDF and EPUB handbooks from a Q&A source.")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    sub = p.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="import a plain-text Q&A file into source/ID/handbook.yaml")
    imp.add_argument("file")
    imp.add_argument("--id", required=True, help="handbook id (a slug)")
    imp.add_argument("--title", default="Questions and answers")
    imp.add_argument("--edition", help="edition date, YYYY-MM-DD (default: today)")
    imp.add_argument("--force", action="store_true", help="replace an existing source")
    imp.set_defaults(run=cmd_import)

    chk = sub.add_parser("check", help="validate sources and catalogs, report every problem")
    chk.add_argument("--handbook", help="only this handbook (default: all)")
    chk.add_argument("--strict", action="store_true", help="fail on warnings too")
    chk.set_defaults(run=cmd_check)

    bld = sub.add_parser("build", help="build the PDF and EPUB of one handbook in one language")
    bld.add_argument("--handbook", default=DEFAULT_HANDBOOK)
    bld.add_argument("--lang", required=True, help="locale: en, es, pt-BR, zh-Hans, ar, fa-AF, ...")
    bld.add_argument("--size", choices=("letter", "a4", "a5"), default="letter")
    bld.add_argument("--press", action="store_true", help="print-shop PDF: 3 mm bleed and crop marks")
    bld.add_argument("--allow-partial", action="store_true", help="build an incomplete locale with marked fallbacks")
    bld.set_defaults(run=cmd_build)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as exc:
        _print(exc.diagnostics)
        return 2
    except PipelineError as exc:
        _print(exc.diagnostics)
        n = sum(d.severity is Severity.ERROR for d in exc.diagnostics)
        print(f"failed: {n} error(s)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
