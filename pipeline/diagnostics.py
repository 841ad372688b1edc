"""One diagnostic type with a place, and the small exception tree around it."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Place:
    """A 1-based location in a file; line and col are 0 when unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        parts = [self.path]
        if self.line:
            parts.append(str(self.line))
            if self.col:
                parts.append(str(self.col))
        return ":".join(parts)


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    place: Place

    def __str__(self) -> str:
        """One line, always: a message that quotes a text with line breaks shows them as \\n."""
        message = self.message.replace("\r", "\\r").replace("\n", "\\n")
        return f"{self.place}: {self.severity.value}: {message} [{self.code}]"


def error(code: str, message: str, place: Place) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, place)


def warning(code: str, message: str, place: Place) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, message, place)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def relative(path: Path | str) -> str:
    """Show paths relative to the working directory when they are below it.
    A link shows as itself, not as the file it points to."""
    p = Path(path)
    try:
        return str((p.parent.resolve() / p.name).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


class PipelineError(Exception):
    """A failure the user can act on; carries every diagnostic of the run."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(map(str, diagnostics)))
        self.diagnostics = diagnostics


class SourceError(PipelineError):
    """The handbook source (or an import text) is invalid."""

    # The code family of what source.read_text finds wrong with a file: a source's
    # problem is source-bom, the same problem in a catalog po-bom.
    prefix: ClassVar[str] = "source"


class CatalogError(PipelineError):
    """A translation catalog is invalid or fails its release rule."""

    prefix: ClassVar[str] = "po"


class RenderError(PipelineError):
    """Layouts, fonts or a renderer failed."""


class OutputError(PipelineError):
    """A file could not be written (disk full, read-only, no permission)."""


class UsageError(PipelineError):
    """The command line asked for something that does not exist (exit 2)."""
