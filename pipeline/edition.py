"""An edition: one handbook in one language, or two paired (es+en), and every format
made of it, as one typed value.

The stages run once per edition (pipeline/build.py make_edition): prepare each language
(`Views`); print the PDF (which knows the page each anchor falls on) and render the cover,
when an asked-for format follows them (`PrintRun`: the EPUB, the catalog cover; not the web
page or the card); then each asked-for format from the same `Edition`. Whoever needs the
edition afterwards (the release, the card, the preview, the web edition) takes this value:
nothing is prepared twice, nothing is read back out of a written file.

A format is a function `Edition -> tuple[Artifact, ...]` (`Format`), registered by name
in pipeline/formats.py; its files are named by kind in pipeline/paths.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .diagnostics import Diagnostic
from .model import Handbook
from .paths import SEPARATOR, output_path
from .prepare import Prepared
from .present import View
from .project import Project

if TYPE_CHECKING:
    from .press import Press


@dataclass(frozen=True)
class Views:
    """What every format renders: the prepared languages (one, or two paired: the first
    on the reading-start side) and the print variant asked for."""

    project: Project
    handbook: Handbook
    sides: tuple[Prepared, ...]
    size: str = "letter"
    press: Press | None = None
    allow_partial: bool = False  # asked for a proof with untranslated passages
    # The locales (gettext codes) whose web editions the web edition's language switcher
    # lists: the release's, those it publishes; empty, every locale of the handbook (what
    # `make all` builds, and fails when one cannot be built).
    languages: tuple[str, ...] = ()

    @property
    def first(self) -> Prepared:
        return self.sides[0]

    @property
    def paired(self) -> bool:
        """A bilingual edition: two languages, block by block."""
        return len(self.sides) == 2

    @property
    def views(self) -> tuple[View, ...]:
        return tuple(s.view for s in self.sides)

    @property
    def tag(self) -> str:
        """es, pt-BR; es+en for a bilingual edition: the folder its files go in."""
        return SEPARATOR.join(s.view.loc.tag for s in self.sides)

    def path(self, kind: str, part: str = "") -> Path:
        """Where this edition's file of `kind` (pipeline/paths.py) is written."""
        return output_path(
            self.project.dist,
            self.handbook.id,
            self.tag,
            kind,
            size=self.size,
            press=self.press is not None,
            proof=self.allow_partial,
            part=part,
        )


@dataclass(frozen=True)
class PageMap:
    """Where the print edition put things: what the EPUB's page-list and any other
    format that cites print pages follow."""

    folios: Mapping[str, int]  # anchor -> folio of the page it is on
    continued: Mapping[int, tuple[str, str]]  # folio -> (id, first line) of a page begun in a block


@dataclass(frozen=True)
class Artifact:
    """One file of an edition: its kind (which names it), bytes and metadata."""

    kind: str
    data: bytes
    media_type: str
    meta: Mapping[str, str] = field(default_factory=dict)  # e.g. an EPUB's identifier
    # a file beside the kind's own, in its folder: the web edition's style.css, fonts/x.woff2
    part: str = ""

    @property
    def key(self) -> str:
        """Names it among the edition's files: its kind, or kind/part."""
        return f"{self.kind}/{self.part}" if self.part else self.kind


@dataclass(frozen=True)
class PrintRun:
    """What printing the edition leaves for the formats that follow it (pipeline/formats.py
    PRINTED), beside the print PDF itself."""

    pages: PageMap
    cover: bytes  # JPEG, from the print layouts' cover


@dataclass(frozen=True)
class Edition:
    views: Views
    # None: no asked-for format follows the print edition, so it was not printed (no PDF)
    printed: PrintRun | None
    artifacts: tuple[Artifact, ...]  # the print PDF first if printed, then each format's

    def find(self, kind: str) -> Artifact | None:
        """The kind's own file (not one of its parts), if the edition has one."""
        return next((a for a in self.artifacts if a.kind == kind and not a.part), None)

    def artifact(self, kind: str) -> Artifact:
        """The kind's own file, which the edition has."""
        found = self.find(kind)
        if found is None:
            raise KeyError(f"the edition has no {kind}: its formats are {self.kinds()}")
        return found

    def print_run(self) -> PrintRun:
        """The page map and cover, for a format that follows the print edition."""
        if self.printed is None:  # a bug, not a reader's problem: the format is not in PRINTED
            raise LookupError("this edition was not printed: list the format in formats.PRINTED")
        return self.printed

    def kinds(self) -> tuple[str, ...]:
        return tuple(a.kind for a in self.artifacts)


class Format(Protocol):
    """An output format: the files it makes of an edition. A new format is one function
    (in its own module, with its own layouts folder) and one line in pipeline/formats.py."""

    def __call__(self, edition: Edition, /) -> tuple[Artifact, ...]: ...


@dataclass(frozen=True)
class Written:
    """What writing an edition left on disk, and what it was made of: small and picklable,
    so a worker process can hand it back (the release lists the views' metadata)."""

    views: tuple[View, ...]
    files: Mapping[str, Path]  # Artifact.key -> path
    meta: Mapping[str, Mapping[str, str]]  # Artifact.key -> the artifact's metadata
    # an optional format (the release's card) that could not be made, and why
    failed: Mapping[str, tuple[Diagnostic, ...]] = field(default_factory=dict)

    @property
    def paths(self) -> list[Path]:
        return list(self.files.values())
