"""Measurements inside one warm process (run as a child of the benchmark; prints JSON).

    python -m bench.inprocess stages ROOT OUT HANDBOOK FOCUS LOCALE...
    python -m bench.inprocess scale WARM_ROOT ROOT OUT HANDBOOK

Stage times come from wrapping the functions build() calls (their own time, callees
excluded), so they always describe the real build(), never a copy of its steps.
Times are CPU seconds of this process (`wall` beside them where it matters): the
machine is shared, and CPU time of single-threaded work is what load does not move. The
floor has WeasyPrint as shipped (`bare`: the pipeline's hooks put back) render every HTML
document build() gave WeasyPrint (the print edition's parts; the
EPUB's cover is their first page), with the same stylesheet object and FontConfiguration
and WeasyPrint's own URL fetcher, and has ebooklib write the very book build() gave it
again: the renderers' work with none of ours around it. Nothing is forked here
(pipeline/fork.py): the parts are written in this process, where their CPU is counted.
"""

from __future__ import annotations

import functools
import gc
import importlib
import io
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2

from pipeline import fork, pdf, source
from pipeline.build import Project, build

# (module, function) -> stage. `fonts` (EPUB font subsetting) runs inside `epub`.
STAGES: dict[tuple[str, str], str] = {
    ("pipeline.source", "read_text"): "load",
    ("pipeline.source", "parse_yaml"): "load",
    ("pipeline.source", "build_model"): "load",
    ("pipeline.source", "validate"): "validate",
    ("pipeline.source", "check_ids"): "validate",
    ("pipeline.prepare", "check_catalog"): "validate",
    ("pipeline.prepare", "check_coverage"): "validate",
    ("pipeline.prepare", "read_domain"): "translate",
    ("pipeline.prepare", "translate"): "translate",
    ("pipeline.prepare", "translations"): "translate",
    ("pipeline.prepare", "present"): "translate",
    ("pipeline.printing", "print_html"): "html",
    ("pipeline.book", "print_html"): "html",
    ("pipeline.book", "link_descriptions"): "html",
    ("pipeline.pdf", "lay_out"): "pdf",
    ("pipeline.pdf", "LaidOut.write"): "pdf",
    ("pipeline.merge", "join"): "join",
    ("pipeline.tagging", "furniture_as_artifacts"): "tag",
    ("pipeline.tagging", "one_annotation_per_link"): "tag",
    ("pipeline.tagging", "name_subsets"): "tag",
    ("pipeline.pdf", "page_image"): "cover",
    ("pipeline.pdf", "cover_image"): "cover",
    ("pipeline.epub", "render_epub"): "epub",
    ("pipeline.fonts", "subset"): "fonts",
    ("pipeline.verify", "verify_edition"): "verify",
    ("pipeline.build", "write_together"): "write",
}
STAGE_NAMES = (
    "load",
    "validate",
    "translate",
    "html",
    "pdf",
    "join",
    "tag",
    "cover",
    "epub",
    "fonts",
    "verify",
    "write",
)


@dataclass
class Tracer:
    """Exclusive time per stage: a wrapped call's time minus its wrapped callees'."""

    totals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    inner: list[float] = field(default_factory=list)

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            self.inner.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.process_time() - start
                self.totals[stage] += spent - self.inner.pop()
                if self.inner:
                    self.inner[-1] += spent

        return timed


class MissingStage(LookupError):
    """A stage function was renamed or moved: timing without it would quietly measure less."""


def resolve(module_name: str, name: str) -> tuple[Any, str]:
    """The object holding `name` (a function, or `Class.method`) and the attribute's own name."""
    owner: Any = importlib.import_module(module_name)
    *outer, attr = name.split(".")
    for part in outer:
        owner = getattr(owner, part, None)
    if owner is None or not hasattr(owner, attr):
        raise MissingStage(
            f"{module_name}.{name} is gone: the benchmark times build() through it; "
            "name the function that does this work now in bench/inprocess.py STAGES"
        )
    return owner, attr


@dataclass
class Captured:
    htmls: list[str] = field(
        default_factory=list
    )  # every document WeasyPrint got: the print edition's parts
    layouts: Path = Path()
    roots: tuple[Path, ...] = ()
    book: Any = None
    epub_options: Any = None


def _keeping(captured: Captured) -> list[tuple[Any, str, Callable[..., Any]]]:
    """(module, name, wrapper) for the calls whose arguments the floor renders again."""
    import ebooklib.epub

    def keep_html(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(
            html: str, layouts: Path, roots: tuple[Path, ...], *rest: Any, **kwargs: Any
        ) -> Any:
            captured.htmls.append(html)
            captured.layouts, captured.roots = layouts, roots
            return fn(html, layouts, roots, *rest, **kwargs)

        return call

    def keep_book(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(name: Any, book: Any, options: Any = None) -> Any:
            captured.book, captured.epub_options = book, options
            return fn(name, book, options)

        return call

    return [
        (pdf, "lay_out", keep_html(pdf.lay_out)),
        (pdf, "cover_image", keep_html(pdf.cover_image)),
        (ebooklib.epub, "write_epub", keep_book(ebooklib.epub.write_epub)),
    ]


@contextmanager
def instrumented(tracer: Tracer, captured: Captured | None) -> Iterator[None]:
    """Wrap the stage functions (and keep what the renderers were given into `captured`, if
    any: the floor renders it again) for one build."""
    saved: list[tuple[Any, str, Any]] = []

    def patch(module: Any, name: str, wrapper: Callable[..., Any]) -> None:
        original = getattr(module, name)
        saved.append((module, name, original))
        setattr(module, name, wrapper)

    owners = {key: resolve(*key) for key in STAGES}  # every one, before any is patched
    for key, (owner, name) in owners.items():
        patch(owner, name, tracer.wrap(STAGES[key], getattr(owner, name)))
    for module, name, wrapper in _keeping(captured) if captured is not None else ():
        patch(module, name, wrapper)
    try:
        yield
    finally:
        for module, name, original in reversed(saved):
            setattr(module, name, original)


def _collected_cpu() -> float:
    gc.collect()  # the garbage of what ran before is not charged to what is timed next
    return time.process_time()


@dataclass(frozen=True)
class Clock:
    """CPU and wall seconds since it was made."""

    cpu: float = field(default_factory=_collected_cpu)
    wall: float = field(default_factory=time.perf_counter)

    def read(self) -> dict[str, float]:
        return {"cpu": time.process_time() - self.cpu, "wall": time.perf_counter() - self.wall}


Attributes = dict[tuple[str, str, str], Any]  # (module, class or "", name) -> value


def weasyprint_attributes() -> Attributes:
    """Every callable WeasyPrint's loaded modules hold (their own and those they import, as
    `document.draw_page`) and its classes' methods, as they are now."""
    out: Attributes = {}
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "weasyprint" or module is None:
            continue
        for attr, value in vars(module).items():
            if callable(value):
                out[(name, "", attr)] = value
                if isinstance(value, type) and value.__module__.startswith("weasyprint"):
                    out |= {(name, attr, a): v for a, v in vars(value).items() if callable(v)}
    return out


def _owner(module: str, owner: str) -> Any:
    target = sys.modules[module]
    return getattr(target, owner) if owner else target


def _held(key: tuple[str, str, str]) -> Any:
    """What the module or class holds under the name, as `vars` gives it (a staticmethod as
    itself, not the function getattr would unwrap)."""
    return vars(_owner(*key[:2])).get(key[2])


def weasyprint_as_shipped() -> Attributes:
    """WeasyPrint's own functions, read before the pipeline first renders (pdf._weasy() wraps
    some of them: the text layer, the tags' languages and the elements' numbers), with every
    module the pipeline renders through loaded."""
    with pdf._sonames_only():  # imported as the pipeline imports it
        import weasyprint.document
        import weasyprint.pdf.stream
        import weasyprint.pdf.tags  # noqa: F401

    assert "pipeline.text_layer" not in sys.modules, "the pipeline hooked WeasyPrint already"
    return weasyprint_attributes()


@contextmanager
def bare(shipped: Attributes) -> Iterator[None]:
    """WeasyPrint as shipped while inside: whatever the pipeline replaced is put back (found
    by comparing, so a hook added later is never left in the floor)."""
    now = {k: _held(k) for k in shipped}
    changed = {k: v for k, v in now.items() if v is not shipped[k]}
    if not changed:
        raise MissingStage("WeasyPrint is not hooked: the floor would not be bare by mistake")

    def put(values: Attributes) -> None:
        for (module, owner, name), value in values.items():
            setattr(_owner(module, owner), name, value)

    put({k: shipped[k] for k in changed})
    try:
        yield
    finally:
        put(changed)


def floor_pdf(
    htmls: list[str], layouts: Path, roots: tuple[Path, ...], shipped: Attributes
) -> dict[str, float]:
    """WeasyPrint as shipped rendering and writing each document the build gave it (joining,
    rasterizing and the hooks of the text layer and the tags are ours)."""
    weasyprint, fonts = pdf._weasy()
    stylesheet = pdf._stylesheet(layouts, roots)
    with bare(shipped):
        clock = Clock()
        for html in htmls:
            document = weasyprint.HTML(string=html, base_url=str(layouts.resolve()) + "/")
            rendered = document.render(
                stylesheets=[stylesheet], font_config=fonts, **pdf.PDF_OPTIONS
            )
            rendered.write_pdf(**pdf.PDF_OPTIONS)
        return clock.read()


def floor_epub(book: Any, options: Any) -> dict[str, float]:
    from ebooklib import epub

    clock = Clock()
    epub.write_epub(io.BytesIO(), book, options)
    return clock.read()


def pages(path: Path) -> int:
    return len(pypdfium2.PdfDocument(str(path)))


def traced_build(
    project: Project, handbook: str, code: str, captured: Captured | None = None
) -> tuple[dict[str, float], dict[str, float], list[Path]]:
    """Times, stage times and the files written of one build; what the renderers were given
    goes into `captured`, if given."""
    tracer = Tracer()
    # read and validate the source as a lone `make handbook` does, every round
    source._load.cache_clear()
    with instrumented(tracer, captured):
        clock = Clock()
        outputs = build(project, handbook, code)
        total = clock.read()
    return total, dict(tracer.totals), outputs


def stages(root: Path, out: Path, handbook: str, focus: str, locales: list[str]) -> dict[str, Any]:
    """Per locale: a warming build, then floor and build, timed (five rounds for `focus`, best
    kept)."""
    shipped = weasyprint_as_shipped()
    project = Project(root, out)
    build(project, handbook, focus)  # warm the process: imports, FontConfiguration, stylesheet
    results: dict[str, Any] = {}
    for code in locales:
        captured = Captured()
        traced_build(project, handbook, code, captured)  # warms this locale's fonts too
        best: dict[str, Any] | None = None
        for _round in range(5 if code == focus else 1):
            floor = {
                "pdf": floor_pdf(captured.htmls, captured.layouts, captured.roots, shipped),
                "epub": floor_epub(captured.book, captured.epub_options),
            }
            captured = Captured()
            total, spent, outputs = traced_build(project, handbook, code, captured)
            if best is None or total["cpu"] < best["total"]["cpu"]:
                best = {
                    "total": total,
                    "stages": spent,
                    "floor": best["floor"] if best else floor,
                    "pages": pages(outputs[0]),
                }
            best["floor"] = {
                part: min(best["floor"][part], floor[part], key=lambda t: t["cpu"])
                for part in floor
            }
        results[code] = best
    return results


def scale(warm_root: Path, root: Path, out: Path, handbook: str) -> dict[str, Any]:
    """A warm build of a (synthetic, source-language) handbook, after one of `warm_root`."""
    build(Project(warm_root, out / "warm"), handbook, "en")
    text_size = Project(root).handbook_path(handbook).stat().st_size
    # A synthetic x50 source can pass the size guard meant for hand-written ones.
    source.MAX_SOURCE_BYTES = max(source.MAX_SOURCE_BYTES, text_size + 1)
    # Nothing the build gave the renderers is kept (no floor here): the peak RSS is the build's.
    total, spent, outputs = traced_build(Project(root, out / "target"), handbook, "en")
    return {"total": total, "stages": spent, "pages": pages(outputs[0]), "source_bytes": text_size}


def main(argv: list[str]) -> None:
    # Stage times are this process's CPU: parts written in forked children would escape them
    # (the cold whole-process figures, bench/cold.py, are where both cores count).
    fork.SERIAL = True
    kind, *args = argv
    if kind == "stages":
        root, out, handbook, focus, *locales = args
        result = stages(Path(root), Path(out), handbook, focus, locales)
    else:
        warm_root, root, out, handbook = args
        result = scale(Path(warm_root), Path(root), Path(out), handbook)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
