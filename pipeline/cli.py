"""The command line: the only place that prints and exits."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, PipelineError, Place, Severity, UsageError, relative

if TYPE_CHECKING:  # pipeline.jobs imports the whole pipeline: not for --help
    from babel.messages.catalog import Catalog

    from .jobs import Options, Outcome, Progress
    from .model import Handbook
    from .press import Press
    from .project import Project

DEFAULT_HANDBOOK = "ct-trafficking"


def _print(diagnostics: Sequence[Diagnostic]) -> None:
    for d in diagnostics:
        print(d, file=sys.stderr)


def cmd_new(args: argparse.Namespace) -> int:
    from .importer import check_id, source_text

    check_id(args.id, "ID")
    target = Path(args.root) / "source" / args.id / "handbook.yaml"
    if target.exists():
        why = "a handbook source is already here: choose another id, or edit this one"
        raise UsageError([Diagnostic(Severity.ERROR, "new-exists", why, Place(relative(target)))])
    written = source_text(args.id, args.edition or date.today(), None)
    _write_source(target, written.text)
    print(f"wrote {relative(target)}: every key explained in a comment above it")
    _next_steps(target, args.id, written.to_fill)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .importer import check_id, read_import, source_text

    check_id(args.id, "--id")
    target = Path(args.root) / "source" / args.id / "handbook.yaml"
    if target.exists() and not args.force:
        why = "a handbook source is already here; pass --force to replace it"
        raise UsageError(
            [Diagnostic(Severity.ERROR, "import-exists", why, Place(relative(target)))]
        )
    imported = read_import(Path(args.file), relative(args.file))
    if args.title:
        imported = replace(imported, title=args.title)
    written = source_text(args.id, args.edition or date.today(), imported)
    _write_source(target, written.text)
    sections = len(imported.sections)
    print(
        f"imported {imported.questions} questions in {sections} section(s) into {relative(target)}"
    )
    _next_steps(target, args.id, written.to_fill)
    return 0


def _write_source(target: Path, text: str) -> None:
    from .output import located, write_atomic

    with located(target):
        write_atomic(target, text.encode())


def _next_steps(target: Path, handbook_id: str, to_fill: Sequence[tuple[int, str]]) -> None:
    shown = relative(target)
    steps = [
        f"check it: .venv/bin/handbook check --handbook {handbook_id}",
        f"build it: make handbook LANG=en HANDBOOK={handbook_id} "
        f"(dist/en/{handbook_id}.pdf and .epub)",
        f"translate it: .venv/bin/handbook init es --handbook {handbook_id} (es or any locale),"
        f"\n       translate locales/es/LC_MESSAGES/{handbook_id}.po, then make handbook LANG=es "
        f"HANDBOOK={handbook_id}",
    ]
    if to_fill:
        keys = ["fill in these keys (the comment above each says what to write):"]
        keys += [f"       {shown}:{line}: {key}" for line, key in to_fill]
        steps.insert(0, "\n".join(keys))
    print("next steps:")
    for n, step in enumerate(steps, start=1):
        print(f"  {n}. {step}")


def _place(path: Path) -> Place:
    return Place(str(path))


def _project(args: argparse.Namespace) -> Project:
    from .project import Project

    return Project(Path(args.root))


def cmd_card(args: argparse.Namespace) -> int:
    from .card import build_card

    project = _project(args)
    paths = build_card(
        project, args.handbook, args.lang, allow_partial=args.allow_partial, back=args.back
    )
    _wrote(project, paths, proof=args.allow_partial)
    return 0


SIZE_HELP = "the page size (default: the handbook's paper: letter, or the a4 its source asks)"
PROOF_NOTE = (
    "note: a proof (--allow-partial), not an edition to hand out: what is not translated yet "
    "shows in English, marked"
)


def _wrote(project: Project, paths: Sequence[Path], *, proof: bool, how: str = "") -> None:
    """The files a build wrote, one a line (`how`: how to use them); a proof's (named -proof)
    said to be one."""
    for path in paths:
        print(f"wrote {_shown(project, path)}{how}")
    if proof:
        print(PROOF_NOTE, file=sys.stderr)


def cmd_verify(args: argparse.Namespace) -> int:
    from .checks import verify_files

    project = _project(args)
    files = [Path(f) for f in args.files]
    diagnostics = verify_files(project, files, handbook_id=args.handbook, lang=args.lang)
    _print(diagnostics)
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    print(f"verified {len(args.files)} file(s): {errors} error(s)", file=sys.stderr)
    return 1 if errors else 0


BOOKLET_PRINTING = (
    "print it on both sides, flipping on the short edge, at actual size (100 %); "
    "fold the stack in the middle and staple it on the fold"
)


def cmd_booklet(args: argparse.Namespace) -> int:
    from .booklet import build_booklet
    from .locales import normalize

    project = _project(args)
    path = build_booklet(
        project,
        args.handbook,
        normalize(args.lang),
        sheet=args.size,
        allow_partial=args.allow_partial,
    )
    _wrote(project, [path], proof=args.allow_partial, how=f": {BOOKLET_PRINTING}")
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    from .build import build_web

    project = _project(args)
    path = build_web(project, args.handbook, args.lang, allow_partial=args.allow_partial)
    _wrote(project, [path], proof=args.allow_partial)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .checks import check

    project = _project(args)
    ids = [args.handbook] if args.handbook else project.handbooks()
    diagnostics = check(project, ids)
    _print(diagnostics)
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(
        f"checked {len(ids)} handbook(s): {errors} error(s), {warnings} warning(s)", file=sys.stderr
    )
    return 1 if errors or (args.strict and warnings) else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .jobs import EVERY_FORMAT, Job, Options, build_job
    from .locales import normalize

    project = _project(args)
    options = Options(args.size, _press(args), args.allow_partial)
    if args.all:  # every locale's web edition too (each page links to the others)
        return _build_all(args, project, replace(options, formats=EVERY_FORMAT))
    outcome = build_job(
        project, Job(args.handbook or DEFAULT_HANDBOOK, normalize(args.lang)), options, force=True
    )
    _wrote(project, outcome.outputs, proof=args.allow_partial)
    return 0


def _press(args: argparse.Namespace) -> Press | None:
    from .press import load_press

    profile = Path(args.profile) if args.profile else None
    if profile and not args.press:
        why = (
            "a colour profile is for the print shop's PDF: add --press "
            "(make: PRINT=press PROFILE=...)"
        )
        raise UsageError([Diagnostic(Severity.ERROR, "press-profile", why, _place(profile))])
    return load_press(profile) if args.press else None


class _Display:
    """Progress of `build --all` and `release` on stderr: tqdm's bar on a terminal (it keeps
    to the terminal's width and redraws in place), one plain line per finished job otherwise
    (CI logs, the tests), nothing with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm  # some 50 ms to import: only when there is a bar to draw

            tqdm.monitor_interval = (
                0  # no monitor thread: the bar is redrawn on every report anyway
            )
            self.bar = tqdm(total=0, file=sys.stderr, unit="job", leave=False, dynamic_ncols=True)

    def __call__(self, p: Progress) -> None:
        from .jobs import State

        if self.quiet:
            return
        if p.finished:
            o = p.finished
            took = f" in {o.seconds:.1f} s" if o.state is not State.SKIPPED else ""
            line = f"[{p.done}/{p.total}] {o.job}: {o.state.value}{took}"
            if self.bar is None:
                print(line, file=sys.stderr)
            else:
                self.bar.write(line, file=sys.stderr)  # above the bar, which is drawn again below
        if self.bar is not None:
            self.bar.total, self.bar.n = p.total, p.done
            self.bar.set_postfix_str(
                f"building {', '.join(map(str, p.running))}" if p.running else "", refresh=False
            )
            self.bar.refresh()

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def close(self, outcomes: Sequence[Outcome], seconds: float) -> None:
        from .jobs import State

        self.finish()
        if not self.quiet:
            counts = ", ".join(
                f"{sum(o.state is s for o in outcomes)} {s.value}"
                for s in State
                if s is not State.OMITTED or any(o.state is s for o in outcomes)
            )
            print(f"{len(outcomes)} job(s) in {seconds:.1f} s: {counts}", file=sys.stderr)


def _build_all(args: argparse.Namespace, project: Project, options: Options) -> int:
    import time

    from .jobs import State, plan, run

    start = time.monotonic()
    display = _Display(args.quiet)
    ids = [args.handbook] if args.handbook else project.handbooks()
    outcomes = run(
        project, plan(project, ids), options, workers=args.jobs, force=args.force, report=display
    )
    display.close(outcomes, time.monotonic() - start)
    failed = [o for o in outcomes if o.state is State.FAILED]
    for o in failed:
        _print(o.diagnostics)
    if options.allow_partial and not args.quiet:
        print(PROOF_NOTE, file=sys.stderr)
    return 1 if failed else 0


def _templates(project: Project, handbook: Handbook) -> list[tuple[Path, Catalog, bool]]:
    """Both domains' templates, each written when something other than its date changed:
    locales/<handbook>.pot, then locales/layouts.pot (path, messages, whether written)."""
    from .catalog import LAYOUTS_DOMAIN, po_bytes, write_if_changed

    out = []
    for domain, pot in zip((handbook.id, LAYOUTS_DOMAIN), project.templates(handbook), strict=True):
        path = project.template_path(domain)
        out.append((path, pot, write_if_changed(path, po_bytes(pot))))
    return out


def _shown(project: Project, path: Path) -> Path:
    return path.relative_to(project.root) if path.is_relative_to(project.root) else path


def _merge(project: Project, path: Path, code: str, pot: Catalog) -> tuple[Catalog, str]:
    """A domain's catalog merged with its template (started when it does not exist yet),
    its new messages prefilled from the language's other catalogs; and its counts, said."""
    from .catalog import compendium, init_catalog, prefill, read_catalog, update_catalog
    from .translate import catalog_status

    if path.exists():
        catalog = update_catalog(read_catalog(path, code), pot)
    else:
        catalog = init_catalog(pot, code, path.stem)
    filled = prefill(catalog, compendium(project.locales, code, path))
    st = catalog_status(catalog, code)
    said = f"{st.translated} translated, {st.fuzzy} fuzzy, {st.untranslated} untranslated"
    if filled:
        said += (
            f"; {filled} prefilled from other catalogs of {code}, marked fuzzy: check each "
            "(its comment names the catalog it came from), then clear its fuzzy flag"
        )
    return catalog, said


def cmd_extract(args: argparse.Namespace) -> int:
    project = _project(args)
    handbook = project.load(args.handbook)
    for path, pot, changed in _templates(project, handbook):
        print(f"{_shown(project, path)}: {len(pot)} messages{'' if changed else ', unchanged'}")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    from .catalog import catalog_paths, po_bytes, write_if_changed
    from .locales import available

    project = _project(args)
    handbook = project.load(args.handbook)
    pots = [pot for _path, pot, _changed in _templates(project, handbook)]
    for code in available(project.locales, handbook.id):
        for path, pot in zip(catalog_paths(project.locales, code, handbook.id), pots, strict=True):
            catalog, said = _merge(project, path, code, pot)
            changed = write_if_changed(path, po_bytes(catalog))
            print(f"{_shown(project, path)}: {said}{'' if changed else ' (unchanged)'}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .catalog import catalog_paths, po_bytes
    from .locales import config_path, config_template, kin_words, locale_info, normalize
    from .output import write_atomic

    project = _project(args)
    handbook = project.load(args.handbook)
    loc = locale_info(normalize(args.lang), project.locales)
    path, layouts = catalog_paths(project.locales, loc.code, handbook.id)
    if path.exists():
        why = f"{loc.code} already has a catalog; use 'handbook update'"
        raise UsageError([Diagnostic(Severity.ERROR, "init-exists", why, _place(path))])
    pot, layout_pot = project.templates(handbook)
    catalog, said = _merge(project, path, loc.code, pot)
    write_atomic(path, po_bytes(catalog))
    plurals = f"{loc.name}, {catalog.num_plurals} plural forms"
    print(f"created {_shown(project, path)} ({plurals}): {said}")
    if layouts.exists():
        print(
            f"{_shown(project, layouts)}, the layouts' strings, is shared by every handbook: kept"
        )
    else:  # the first handbook in this language: the layouts' catalog starts too
        catalog, said = _merge(project, layouts, loc.code, layout_pot)
        write_atomic(layouts, po_bytes(catalog))
        print(
            f"created {_shown(project, layouts)} (the layouts' strings, for every handbook): {said}"
        )
    config = config_path(project.locales, loc.code)
    if not config.exists():
        kin = kin_words(project.locales, loc.code)
        write_atomic(config, config_template(loc, kin).encode())
        words = "write the language's words for the digits 0 to 9 in it"
        if kin:
            words = f"its words for the digits come from {kin[0]}: check them"
        print(
            f"created {config.relative_to(project.root)} "
            f"(release rule: complete, edit it to change; {words})"
        )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from .checks import statuses
    from .lint import freshness

    project = _project(args)
    handbook = project.load(args.handbook)
    rows = statuses(project, handbook)
    if args.json:
        print(
            json.dumps(
                [{**r.__dict__, "percent": round(r.percent, 1)} for r in rows],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    print(
        f"{'locale':8} {'translated':>10} {'fuzzy':>6} {'untransl.':>9} {'percent':>8}  "
        f"{'plurals':8} review"
    )
    for r in rows:
        review = (
            r.review if not r.reviewer else f"{r.review} by {r.reviewer} {r.review_date}".strip()
        )
        plurals = "complete" if r.plurals_complete else "MISSING"
        print(
            f"{r.code:8} {r.translated:>10} {r.fuzzy:>6} {r.untranslated:>9} "
            f"{r.percent:>7.1f}%  {plurals:8} {review}"
        )
    old = sum(d.code == "lint-review-old" for d in freshness(handbook))
    print(
        f"{handbook.id}: {sum(not e.sources for e in handbook.entries)} "
        f"of {len(handbook.entries)} entries "
        f"without sources, {old} with a review older than "
        f"{handbook.review_max_months} months"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    try:
        serve(
            _project(args),
            args.port,
            lambda url: print(
                f"preview at {url} (reloads when you save; Ctrl+C to stop)", flush=True
            ),
        )
    except (KeyboardInterrupt, Terminated):  # the way to stop it, not a failure
        print("preview stopped", file=sys.stderr)
    return 0


def cmd_paths(args: argparse.Namespace) -> int:
    """The files `build` writes for one edition (with --allow-partial, its proof's), one a
    line, relative to the project folder: what the Makefile's rules name. Standard library
    only (pipeline/paths.py): it runs before the first `make` has installed anything."""
    from .paths import EDITION, output_path, paper

    size = args.size or paper(Path(args.root) / "source" / args.handbook / "handbook.yaml")
    for kind in EDITION:
        print(
            output_path(
                Path("dist"),
                args.handbook,
                args.lang,
                kind,
                size=size,
                press=args.press,
                proof=args.allow_partial,
            )
        )
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from .release import release
    from .shard import measured, merge, slicer, write_costs

    project = _project(args)
    if args.out:
        project = replace(project, out=Path(args.out))
    if args.costs and not args.shard:
        why = "--costs balances the slices of --shard K/N: give both, or neither"
        raise UsageError([Diagnostic(Severity.ERROR, "shard-usage", why, Place("--costs"))])
    part = slicer(project, args.shard, args.costs and Path(args.costs)) if args.shard else None
    display = _Display(quiet=False)
    try:
        if args.merge:
            folders = [Path(f) for f in args.merge]
            result = merge(
                project, folders, publisher=args.publisher, allow_missing=args.allow_missing
            )
        else:
            result = release(
                project,
                publisher=args.publisher,
                workers=args.jobs,
                allow_missing=args.allow_missing,
                handbooks=args.handbook or (),
                report=display,
                shard=part,
            )
    finally:
        display.finish()
    if args.save_costs and result.published:
        write_costs(Path(args.save_costs), measured(result))
    for handbook_id, missing in result.held_back:
        print(f"{handbook_id}/{missing.tag}: held back, it failed:", file=sys.stderr)
        _print(missing.diagnostics)
    for handbook_id, missing in result.omitted:
        print(
            f"{handbook_id}/{missing.tag}: omitted by its release rule "
            "(an incomplete translation, not a failure)",
            file=sys.stderr,
        )
        _print(missing.diagnostics[:5])
    dist = project.dist
    where = dist.relative_to(project.root) if dist.is_relative_to(project.root) else dist
    held = ", ".join(f"{h}/{m.tag}" for h, m in result.held_back)
    omitted = ", ".join(f"{h}/{m.tag}" for h, m in result.omitted)
    omitted = f"; omitted by their release rule: {omitted}" if omitted else ""
    if not result.published:
        passed = len(result.editions)
        instead = (
            f"fix them, or release the {passed} edition(s) that passed with --allow-missing "
            "(make release ALLOW_MISSING=1)"
            if passed
            else "no edition passed"
        )
        print(
            f"nothing released: {len(result.held_back)} edition(s) failed and were held back "
            f"({held}); {where}/ is unchanged; {instead}{omitted}",
            file=sys.stderr,
        )
        return 1
    link = f" (a link to {dist.resolve()})" if dist.is_symlink() else ""
    checked = (
        f"held back {len(result.held_back)} that failed: {held}, see {where}/report.html"
        if held
        else "every check passed"
    )
    what = "released"
    if part is not None:
        what = f"shard {part.shard}: built and checked"
        checked += "; join the shards' folders with: handbook release --merge DIR..."
    elif args.merge:
        what = f"merged {len(args.merge)} shard(s): released"
    print(
        f"{what} {len(result.editions)} edition(s), {result.files} files, into {where}/{link} "
        f"in {result.seconds:.1f} s: {checked}{omitted}"
    )
    return 0


IMPORT_HELP = """\
Read FILE and write source/ID/handbook.yaml; the format goes by the extension.

.txt, the plain-text Q&A format: numbered questions ending in '?', each followed
by its answer: paragraphs (one per line), numbered items restarting at 1 in
every answer, and '- ' bullet items; an item may start with a term ('Term: text').
Texts may use **strong**, *emphasis* and [links](https://example.org).

  1. Who can help me?
  Call the helpline, day or night.
  1. Wages: you must be paid at least the minimum wage.
  2. Documents: nobody may keep your passport.
  2. What should I bring?
  - your pay slips
  - a copy of your contract

.md, Markdown (CommonMark): '# ' the title, the paragraph under it the subtitle,
'## ' sections, '### ' questions, then the answer: paragraphs, '- ' and '1. '
lists ('**Term:** text' items), **bold**, *italic*, [links](https://...).

.docx, Word: the styles Title, Heading 1 (sections), Heading 2 (questions),
List Bullet and List Number (or Word's list buttons), bold and italic, links.

Text before the first question, tables and pictures are refused with their line
(for .docx, the paragraph's number), never dropped. Then fill the keys the
command names and run: handbook check --handbook ID
"""


def _allow_partial(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-partial",
        action="store_true",
        help="a proof of an incomplete locale, its English fallbacks marked, in files named "
        "-proof (<id>-proof.pdf), never the edition's",
    )


def _doc(summary: str, *examples: str, description: str = "") -> dict[str, Any]:
    """A subcommand's help: its summary (the description too, unless it has its own), then
    example command lines, kept as written."""
    return {
        "help": summary,
        "description": description or textwrap.fill(summary, 79),
        "epilog": "Examples:\n" + "\n".join(f"  {line}" for line in examples),
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="handbook", description="Build localized PDF and EPUB handbooks from a Q&A source."
    )
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    sub = p.add_subparsers(dest="command", required=True)

    new = sub.add_parser(
        "new",
        help="start a handbook: write source/ID/handbook.yaml, every key explained",
        description="Write source/ID/handbook.yaml: every key the schema needs, with a comment\n"
        "above it saying what to write; the keys to fill are left empty, and 'check'\n"
        "names each of them until they are filled. An existing source is never replaced.",
        epilog="Examples:\n  handbook new dw-rights",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument(
        "id", metavar="ID", help="the handbook's id: lower-case words joined by hyphens"
    )
    new.add_argument(
        "--edition", type=date.fromisoformat, help="edition date, YYYY-MM-DD (default: today)"
    )
    new.set_defaults(run=cmd_new)

    imp = sub.add_parser(
        "import",
        help="import a Q&A file (.txt, .md or .docx) into source/ID/handbook.yaml",
        description=IMPORT_HELP,
        epilog="Examples:\n  handbook import faq.md --id dw-rights\n"
        '  handbook import faq.docx --id dw-rights --title "Know your rights"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", metavar="FILE", help="a .txt, .md or .docx file")
    imp.add_argument("--id", required=True, help="the new handbook's id (a slug: dw-rights)")
    imp.add_argument(
        "--title", help="the title (default: the file's '# ' or Title; a .txt file has none)"
    )
    imp.add_argument(
        "--edition", type=date.fromisoformat, help="edition date, YYYY-MM-DD (default: today)"
    )
    imp.add_argument("--force", action="store_true", help="replace an existing source")
    imp.set_defaults(run=cmd_import)

    chk = sub.add_parser(
        "check",
        **_doc(
            "validate sources and catalogs, report every problem",
            "handbook check",
            "handbook check --handbook ct-trafficking --strict",
        ),
    )
    chk.add_argument("--handbook", help="only this handbook (default: all)")
    chk.add_argument("--strict", action="store_true", help="fail on warnings too")
    chk.set_defaults(run=cmd_check)

    bld = sub.add_parser(
        "build",
        **_doc(
            "build the PDF and EPUB of one handbook in one language",
            "handbook build --handbook ct-trafficking --lang es",
            "handbook build --lang es+en   # the bilingual edition",
            "handbook build --lang es --size a5 --press",
            "handbook build --all -j 2",
        ),
    )
    bld.add_argument("--handbook", help=f"default: {DEFAULT_HANDBOOK}; with --all, every handbook")
    which = bld.add_mutually_exclusive_group(required=True)
    which.add_argument("--lang", help="locale: en, es, pt-BR, zh-Hans, ar, fa-AF, ...")
    which.add_argument(
        "--all",
        action="store_true",
        help="every locale (PDF, EPUB and web edition), in parallel; skips outputs whose inputs"
        " did not change",
    )
    bld.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="with --all: N worker processes (default: one per core)",
    )
    bld.add_argument(
        "--force", action="store_true", help="with --all: rebuild even what is up to date"
    )
    bld.add_argument("--quiet", action="store_true", help="with --all: no progress output")
    bld.add_argument("--size", choices=("letter", "a4", "a5"), help=SIZE_HELP)
    bld.add_argument(
        "--press",
        action="store_true",
        help="print-shop PDF: PDF/X-4 in CMYK, 3 mm bleed, crop marks, pages a multiple of 4",
    )
    bld.add_argument(
        "--profile",
        metavar="PATH.icc",
        help="with --press: the print shop's CMYK profile (default: Ghostscript's, SWOP)",
    )
    _allow_partial(bld)
    bld.set_defaults(run=cmd_build)
    crd = sub.add_parser(
        "card",
        **_doc(
            "build the wallet card (3.5 x 2 in) and its 10-up print sheet in one language",
            "handbook card --lang es   # front Spanish, back English",
            "handbook card --lang en --back fr",
        ),
    )
    crd.add_argument("--handbook", default=DEFAULT_HANDBOOK)
    crd.add_argument(
        "--lang",
        required=True,
        help="the front's locale; the back is in the source language (English: Spanish)",
    )
    crd.add_argument(
        "--back",
        help="the back's locale (default: the source language; for the source language, "
        "the card's `back` in the source)",
    )
    _allow_partial(crd)
    crd.set_defaults(run=cmd_card)
    ver = sub.add_parser(
        "verify",
        **_doc(
            "read built PDFs, EPUBs and web pages as a reader's software does and check them",
            "handbook verify dist/es/ct-trafficking.pdf dist/es/ct-trafficking.epub",
            "handbook verify dist/es/ct-trafficking-card.pdf",
            "handbook verify dist/ar/ct-trafficking-web/index.html",
            "handbook verify --handbook ct-trafficking --lang es+en proofs/bilingual.pdf",
            description="Check built files the way a reader meets them: every contact number of\n"
            "the source on the cover, in every page footer, on the back cover, the wallet\n"
            "card, the EPUB's help section and the web page's help box, digit for digit\n"
            "and in order; no number, URL or domain the source does not have; no direction\n"
            "override or embedding control; no text outside the page. Every build runs the\n"
            "same checks before it writes anything.",
        ),
    )
    ver.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a built .pdf or .epub (an edition, a card or a card sheet), or a web edition's "
        "index.html",
    )
    ver.add_argument(
        "--handbook",
        help="the handbook it was built from (default: from the file name, <handbook>.pdf)",
    )
    ver.add_argument(
        "--lang",
        help="its locale, e.g. es or es+en (default: the name of its folder, as in dist/es/)",
    )
    ver.set_defaults(run=cmd_verify)

    bkl = sub.add_parser(
        "booklet",
        **_doc(
            "the book imposed 2-up for a duplex office printer, "
            "to fold and staple: dist/<lang>/<id>-booklet.pdf",
            "handbook booklet --lang es --size a4",
        ),
    )
    bkl.add_argument("--handbook", default=DEFAULT_HANDBOOK)
    bkl.add_argument(
        "--lang", required=True, help="locale, as for build (es+en: the bilingual edition)"
    )
    bkl.add_argument(
        "--size",
        choices=("letter", "a4"),
        help="the sheet, landscape (default: the handbook's paper: letter, or its source's a4)",
    )
    _allow_partial(bkl)
    bkl.set_defaults(run=cmd_booklet)
    web = sub.add_parser(
        "web",
        **_doc(
            "the web edition, one page with its stylesheet and fonts, to host anywhere "
            "or open on a phone: dist/<lang>/<id>-web/index.html",
            "handbook web --handbook ct-trafficking --lang es",
        ),
    )
    web.add_argument("--handbook", default=DEFAULT_HANDBOOK)
    web.add_argument("--lang", required=True, help="locale: en, es, pt-BR, ar, fa-AF, ...")
    _allow_partial(web)
    web.set_defaults(run=cmd_web)
    for name, run, text, examples in (
        (
            "extract",
            cmd_extract,
            "write locales/<handbook>.pot from the source and locales/layouts.pot from the "
            "layouts (their interface strings, shared by every handbook)",
            ("handbook extract --handbook ct-trafficking",),
        ),
        (
            "update",
            cmd_update,
            "merge the templates into every catalog of the handbook and into layouts.po "
            "(changed messages become fuzzy; new ones are prefilled, fuzzy, from the same "
            "msgid translated in the language's other catalogs)",
            ("handbook update --handbook ct-trafficking",),
        ),
        (
            "status",
            cmd_status,
            "translated / fuzzy / untranslated per locale (the handbook's catalog and layouts.po)",
            ("handbook status --handbook ct-trafficking", "handbook status --json"),
        ),
    ):
        cmd = sub.add_parser(name, **_doc(text, *examples))
        cmd.add_argument("--handbook", default=DEFAULT_HANDBOOK)
        cmd.set_defaults(run=run)
        if name == "status":
            cmd.add_argument("--json", action="store_true", help="machine-readable output")
    ini = sub.add_parser(
        "init",
        **_doc(
            "start a locale's catalog of a handbook (and its layouts.po, if new), prefilled "
            "(fuzzy) from what the language's other catalogs translate, and its locale.yaml",
            "handbook init ko",
            "handbook init es --handbook domestic-workers",
        ),
    )
    ini.add_argument("lang")
    ini.add_argument("--handbook", default=DEFAULT_HANDBOOK)
    ini.set_defaults(run=cmd_init)
    srv = sub.add_parser(
        "serve",
        **_doc(
            "live preview in the browser: any handbook, any language, reloads when you save",
            "handbook serve",
            "handbook serve --port 8080",
        ),
    )
    srv.add_argument(
        "--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0: any free port)"
    )
    srv.set_defaults(run=cmd_serve)
    rel = sub.add_parser(
        "release",
        **_doc(
            "build and check everything into dist/: index.html, opds.xml, report.html, SHA256SUMS",
            "handbook release -j 2",
            'handbook release --publisher "Example NGO"',
            "handbook release --shard 2/3 --out shard   # machine 2 of 3 (README)",
            "handbook release --merge shards/*          # every shard's folder: dist/",
        ),
    )
    rel.add_argument(
        "--publisher",
        help="who publishes the release (the OPDS feed's author; default: the handbooks' "
        "publisher, when they share one, else Handbook editors)",
    )
    rel.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="N worker processes (default: one per core)"
    )
    rel.add_argument(
        "--allow-missing",
        action="store_true",
        help="release the editions that passed even if others failed "
        "(listed in the output and in report.html)",
    )
    rel.add_argument("--out", metavar="DIR", help="write into DIR instead of dist/")
    fan = rel.add_mutually_exclusive_group()
    fan.add_argument(
        "--shard",
        metavar="K/N",
        help="build only the K-th of N slices of the jobs (balanced by measured cost) and a "
        "manifest, to merge with the others (one per CI machine)",
    )
    fan.add_argument(
        "--merge",
        nargs="+",
        metavar="DIR",
        help="join the folders of every shard into the release, without building again",
    )
    rel.add_argument(
        "--costs",
        metavar="FILE",
        help="with --shard: the measured seconds per job that balance the slices "
        "(default: release-costs.json, if there is one)",
    )
    rel.add_argument(
        "--save-costs",
        metavar="FILE",
        help="write the seconds each released edition took into FILE (release-costs.json "
        "balances the next shards: commit it)",
    )
    rel.add_argument(
        "--handbook",
        action="append",
        metavar="ID",
        help="only this handbook's editions (repeat for more; default: every handbook)",
    )
    rel.set_defaults(run=cmd_release)
    pth = sub.add_parser(
        "paths",
        **_doc(
            "print the files `build` writes for one edition (for the Makefile)",
            "handbook paths --lang es",
            "handbook paths --lang es+en --size a5 --press",
            "handbook paths --lang ar --allow-partial",
        ),
    )
    pth.add_argument("--handbook", default=DEFAULT_HANDBOOK)
    pth.add_argument("--lang", required=True, help="locale, as for build (es, pt-BR, es+en)")
    pth.add_argument("--size", choices=("letter", "a4", "a5"), help=SIZE_HELP)
    pth.add_argument("--press", action="store_true", help="the print shop's PDF")
    _allow_partial(pth)
    pth.set_defaults(run=cmd_paths)
    return p


class Terminated(BaseException):
    """SIGTERM, raised where Python can unwind: temporary files are removed."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    args = parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
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
    except OSError as exc:  # one no stage turned into a diagnostic: still one located line
        where = relative(exc.filename) if isinstance(exc.filename, str) else args.root
        _print([Diagnostic(Severity.ERROR, "os-error", exc.strerror or str(exc), Place(where))])
        print("failed: 1 error(s)", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Terminated) as exc:
        print("interrupted: files in dist/ are as they were before this build", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130


if __name__ == "__main__":
    sys.exit(main())
