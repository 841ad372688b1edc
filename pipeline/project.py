"""Where a project's inputs are, and where its outputs go (the folder: names are paths.py's)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog

from .catalog import LAYOUTS_DOMAIN, layout_template, template
from .diagnostics import Place, UsageError, error, relative
from .locales import available
from .model import Handbook
from .source import load


@dataclass(frozen=True)
class Project:
    root: Path
    out: Path | None = None  # dist/ unless told otherwise (tests build elsewhere)

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def layouts(self) -> Path:
        return self.root / "layouts"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def dist(self) -> Path:
        return self.out or self.root / "dist"

    @property
    def roots(self) -> tuple[Path, ...]:
        """The folders a layout may fetch files from (pipeline/pdf.py project_fetcher)."""
        return self.layouts, self.source

    def handbook_path(self, handbook_id: str) -> Path:
        return self.source / handbook_id / "handbook.yaml"

    def template_path(self, domain: str) -> Path:
        """The gettext template (.pot) of one domain: a handbook's id, or LAYOUTS_DOMAIN."""
        return self.locales / f"{domain}.pot"

    def messages(self, handbook: Handbook) -> Catalog:
        """The messages the source produces now: the handbook domain's .pot `extract` writes."""
        return template(handbook, self.handbook_path(handbook.id), self.root)

    def templates(self, handbook: Handbook) -> tuple[Catalog, Catalog]:
        """Both domains' .pot as `extract` writes them: the handbook's, then the layouts'
        (shared by every handbook), in the order of catalog_paths."""
        return self.messages(handbook), layout_template(self.layouts, self.root)

    def handbooks(self) -> list[str]:
        return sorted(p.parent.name for p in self.source.glob("*/handbook.yaml"))

    def load(self, handbook_id: str) -> Handbook:
        path = self.handbook_path(handbook_id)
        if handbook_id == LAYOUTS_DOMAIN:  # its catalogs would be the layouts' (layouts.po)
            why = (
                f"a handbook cannot be called '{handbook_id}': locales/<lang>/LC_MESSAGES/"
                f"{handbook_id}.po holds the layouts' strings; rename source/{handbook_id}/"
            )
            raise UsageError([error("unknown-handbook", why, Place(relative(path)))])
        if not path.exists():
            known = ", ".join(self.handbooks()) or "none"
            why = f"no handbook '{handbook_id}' (known: {known})"
            raise UsageError([error("unknown-handbook", why, Place(relative(path)))])
        return load(path)

    def locales_of(self, handbook: Handbook) -> list[str]:
        return [handbook.language, *available(self.locales, handbook.id)]
