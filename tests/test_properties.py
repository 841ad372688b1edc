"""Property-based tests: whatever text an editor or a translator saves, the
importer, the source loader and the catalog reader give a model or located
diagnostics, never another exception.

Random text alone rarely gets past the first character, so most examples are
the valid tiny project's files with a few random edits made in the characters
that matter to YAML and PO (quotes, colons, tabs, brackets, escapes, ...).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalog import read_catalog
from pipeline.diagnostics import Diagnostic, PipelineError, Severity
from pipeline.importer import parse_qa
from pipeline.model import Handbook
from pipeline.source import load

TINY = Path(__file__).parent / "roots" / "tiny"
SOURCE = (TINY / "source/tiny/handbook.yaml").read_text(encoding="utf-8")
CATALOG = (TINY / "locales/es/LC_MESSAGES/tiny.po").read_text(encoding="utf-8")
SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Characters with a meaning in YAML or PO, and a few that break encodings or fonts.
SIGNIFICANT = st.sampled_from(
    [
        ":",
        ": ",
        "-",
        "- ",
        " ",
        "  ",
        "\t",
        "\n",
        "\r",
        '"',
        "'",
        "#",
        "[",
        "]",
        "{",
        "}",
        "&a",
        "*a",
        "!!",
        "!!python/object:os.system",
        "|",
        ">",
        "\\",
        "\\n",
        '\\"',
        "%",
        "%(x)s",
        "@",
        "?",
        ",",
        "msgid",
        "msgstr",
        "msgctxt",
        "msgstr[1]",
        "msgid_plural",
        "#~ ",
        "#, fuzzy",
        "id",
        "answer",
        "items",
        "paragraph",
        "1.",
        "2.",
        "<b>",
        "é",
        "\x00",
        "\x07",
        "\x85",
        "\ufeff",
        "\u2028",
        "\ud7ff",
        "📞",
        "ትንሽ",
    ]
)
PIECE = st.one_of(SIGNIFICANT, st.text(max_size=8))


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """`text` with one to five random edits: delete, insert, replace or repeat a stretch."""
    for _ in range(draw(st.integers(1, 5))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 60)))
        piece = draw(PIECE)
        text = draw(
            st.sampled_from(
                [
                    text[:start] + text[end:],
                    text[:start] + piece + text[start:],
                    text[:start] + piece + text[end:],
                    text[:end] + text[start:end] + text[end:],
                ]
            )
        )
    return text


def assert_located(exc: PipelineError, shown: str) -> None:
    assert exc.diagnostics, "an error without diagnostics"
    for d in exc.diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.severity is Severity.ERROR
        assert d.place.path == shown
        assert min(d.place.line, d.place.col) >= 0
        assert all((d.message, d.code))
        assert str(d).startswith(shown)
        assert "\n" not in str(d)


# --- the importer -----------------------------------------------------------------

LINE = st.one_of(
    st.builds(lambda n, s: f"{n}. {s}?", st.integers(0, 12), st.text(min_size=1, max_size=20)),
    st.builds(
        lambda n, t, s: f"{n}. {t}: {s}",
        st.integers(0, 12),
        st.text(max_size=10),
        st.text(max_size=20),
    ),
    st.builds(lambda n, s: f"{n}. {s}", st.integers(0, 12), st.text(max_size=20)),
    st.text(max_size=30),
    st.just(""),
)


@SETTINGS
@given(
    st.one_of(
        st.lists(LINE, max_size=25).map("\n".join),
        st.text(),
        edited("1. Q?\nA.\n1. Term: one.\n2. two\n2. Next?\nB.\n"),
    )
)
def test_importer_returns_entries_or_diagnostics(text: str) -> None:
    try:
        entries = parse_qa(text, "qa.txt")
    except PipelineError as exc:
        assert_located(exc, "qa.txt")
        return
    assert entries
    for entry in entries:
        assert entry["question"].endswith("?")
        assert entry["answer"]


# --- the source loader ---------------------------------------------------------------


def load_text(directory: Path, data: str | bytes) -> Handbook:
    path = directory / "handbook.yaml"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return load(path)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scratch")


@SETTINGS
@given(
    st.one_of(
        edited(SOURCE),
        st.text(),
        st.binary(max_size=200),
        st.builds(lambda b, s: b + s.encode(), st.binary(max_size=4), edited(SOURCE)),
    )
)  # a few bad bytes first
def test_loader_returns_a_handbook_or_diagnostics(scratch: Path, data: str | bytes) -> None:
    try:
        handbook = load_text(scratch, data)
    except PipelineError as exc:
        assert_located(exc, str(scratch / "handbook.yaml"))
        return
    assert handbook.entries


def test_the_unedited_source_loads(scratch: Path) -> None:
    """The edits above start from a valid source: otherwise they would prove little."""
    assert load_text(scratch, SOURCE).id == "tiny"


# --- the catalog reader ----------------------------------------------------------------


@SETTINGS
@given(st.one_of(edited(CATALOG), st.text(), st.binary(max_size=200)))
def test_catalog_reader_returns_a_catalog_or_diagnostics(scratch: Path, data: str | bytes) -> None:
    path = scratch / "tiny.po"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    try:
        catalog = read_catalog(path, "es")
    except PipelineError as exc:
        assert_located(exc, str(path))
        return
    assert catalog.locale_identifier == "es"


def test_the_unedited_catalog_reads(scratch: Path) -> None:
    path = scratch / "tiny.po"
    path.write_text(CATALOG, encoding="utf-8")
    assert len(read_catalog(path, "es")) == 9  # the source texts (layouts.po has 22 more)
