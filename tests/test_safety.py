"""Safe by construction: a hostile source, catalog or layout runs nothing, reads
nothing outside the project, and fetches nothing from the network.

The QA gate (`qa-markup`) refuses markup in translations; these tests also
switch that gate off and check that the renderers stay safe on their own.
A "secret" file outside the project holds a unique marker; its bytes must never
reach a PDF or an EPUB, and a local HTTP server must never be asked for anything.
"""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from pipeline import prepare as prepare_module
from pipeline import verify as verify_module
from pipeline.build import Project, build
from pipeline.catalog import read_catalog
from pipeline.checks import check
from pipeline.diagnostics import CatalogError, PipelineError, RenderError, SourceError
from pipeline.html import print_html, render_plain
from pipeline.locales import locale_info
from pipeline.pdf import project_fetcher
from pipeline.prepare import current_catalogs
from pipeline.present import present
from pipeline.source import load, parse_yaml
from pipeline.translate import translate, translations

from .conftest import ROOT

TINY = Path(__file__).parent / "roots" / "tiny"
PO = Path("locales/es/LC_MESSAGES/tiny.po")
LAYOUTS_PO = PO.with_name("layouts.po")  # the layouts' strings, shared by every handbook


@dataclass(frozen=True)
class Secret:
    path: Path
    marker: bytes
    url: str  # the same bytes over HTTP, from a local server

    @property
    def file_url(self) -> str:
        return self.path.as_uri()


class Server(http.server.ThreadingHTTPServer):
    requests: list[str]


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secret]:
    marker = f"SECRET-{uuid.uuid4().hex}".encode()
    path = tmp_path_factory.mktemp("outside") / "secret.txt"
    path.write_bytes(marker)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(marker)

        def log_message(self, *args: object) -> None:
            pass

    server = Server(("127.0.0.1", 0), Handler)
    server.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Secret(path, marker, f"http://127.0.0.1:{server.server_address[1]}/secret.txt")
    finally:
        server.shutdown()
        server.server_close()
        assert server.requests == [], f"the pipeline fetched {server.requests}"


def tiny_project(root: Path, po: str | None = None, layouts_po: str | None = None) -> Project:
    shutil.copytree(TINY, root, ignore=shutil.ignore_patterns("README.md"))
    shutil.copytree(ROOT / "layouts", root / "layouts")
    if po is not None:
        (root / PO).write_text(po, encoding="utf-8")
    if layouts_po is not None:
        (root / LAYOUTS_PO).write_text(layouts_po, encoding="utf-8")
    return Project(root, root / "dist")


def translate_as(po: str, msgid: str, translation: str) -> str:
    """Replace the msgstr that follows `msgid` (a whole line of the PO file)."""
    pattern = re.compile(rf'(msgid "{re.escape(msgid)}"\nmsgstr )".*"')
    assert pattern.search(po), msgid
    return pattern.sub(
        lambda m: m.group(1) + '"' + translation.replace("\\", "\\\\").replace('"', '\\"') + '"', po
    )


def pdf_bytes(path: Path) -> bytes:
    """The file and every stream in it, decompressed: an embedded file or image cannot hide."""
    out = [path.read_bytes()]
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    out.append(obj.read_bytes())
                except pikepdf.PdfError:
                    out.append(obj.read_raw_bytes())
    return b"\n".join(out)


def epub_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return b"\n".join(z.read(n) for n in z.namelist())


# --- YAML ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        "!!python/object/apply:pathlib.Path.touch "
        '[!!python/object/apply:pathlib.Path ["{marker}"]]',
        '!!python/object/new:subprocess.check_call [["touch", "{marker}"]]',
        "!!python/name:os.system",
        "!!python/module:os",
    ],
)
def test_python_tags_are_refused_never_run(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = (TINY / "source/tiny/handbook.yaml").read_text(encoding="utf-8")
    text = text.replace("title: A tiny handbook", "title: " + tag.format(marker=marker))
    with pytest.raises(SourceError) as exc:
        parse_yaml(text, "handbook.yaml")
    assert [d.code for d in exc.value.diagnostics] == ["yaml-tag"]
    assert exc.value.diagnostics[0].place.line == 4
    assert not marker.exists()


def test_aliases_cannot_blow_up(tmp_path: Path) -> None:
    """'Billion laughs': nine levels of ten aliases would expand to 10**9 strings."""
    lines = ['a0: &a0 "lol"'] + [
        f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 10)
    ]
    path = tmp_path / "handbook.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        load(path)
    assert {d.code for d in exc.value.diagnostics} == {"yaml-alias"}
    assert len(exc.value.diagnostics) == 90


# --- the URL fetcher ---------------------------------------------------------


def test_fetcher_reads_only_project_files(tmp_path: Path, secret: Secret) -> None:
    project = tiny_project(tmp_path / "p")
    fetch = project_fetcher((project.layouts, project.source)).fetch
    inside = project.layouts / "print.css"
    assert fetch(inside.resolve().as_uri())  # the project's own files load
    (project.layouts / "escape.txt").symlink_to(secret.path)
    refused = [
        secret.file_url,
        secret.url,
        secret.url.replace("http:", "https:"),
        f"{project.layouts.resolve().as_uri()}/../../../{secret.path.parent.name}/secret.txt",
        (project.layouts / "escape.txt").as_uri(),  # a symlink out of the project
        (project.root / "locales" / PO.relative_to("locales"))
        .resolve()
        .as_uri(),  # in the project, but not layouts/ or source/
        "ftp://127.0.0.1/secret.txt",
    ]
    for url in refused:
        with pytest.raises(ValueError, match="disallowed"):
            fetch(url)


def test_html_that_references_outside_files_embeds_nothing(tmp_path: Path, secret: Secret) -> None:
    """Straight to WeasyPrint with our fetcher: the references fail, the PDF has none of the
    secret."""
    import weasyprint

    project = tiny_project(tmp_path / "p")
    html = f"""<html><head>
<link rel="stylesheet" href="{secret.file_url}"><link rel="stylesheet" href="{secret.url}">
<style>@import url("{secret.url}"); body {{ background: url("{secret.file_url}") }}
@font-face {{ font-family: x; src: url("{secret.url}") }}</style></head>
<body><p style="font-family: x">Text</p><img src="{secret.file_url}"><img src="{secret.url}">
<object data="{secret.file_url}"></object><embed src="{secret.url}">\
<iframe src="{secret.file_url}"></iframe>
<a rel="attachment" href="{secret.file_url}">attachment</a></body></html>"""
    fetcher = project_fetcher((project.layouts, project.source))
    pdf = tmp_path / "out.pdf"
    weasyprint.HTML(
        string=html, base_url=str(project.layouts) + "/", url_fetcher=fetcher
    ).write_pdf(pdf)
    assert secret.marker not in pdf_bytes(pdf)


# --- hostile catalogs, with the QA gate switched off ---------------------------


def hostile_catalogs(secret: Secret) -> tuple[str, str]:
    """tiny.po and layouts.po, each with hostile translations."""
    po = (TINY / PO).read_text(encoding="utf-8")
    po = translate_as(
        po,
        "The basics",
        f'Lo básico<img src="{secret.file_url}"><script src="{secret.url}"></script>',
    )
    po = translate_as(
        po,
        "Emergency",
        f'<iframe src="{secret.url}"></iframe><object data="{secret.file_url}">Emergencia</object>',
    )
    po = translate_as(
        po,
        "Where can I get help?",
        f'¿Dónde?<style>@import url("{secret.url}");</style>'
        f'<link rel="stylesheet" href="{secret.file_url}">',
    )
    # A layout string that lands in CSS (the running footer): quotes must not break out of the
    # CSS string.
    layouts = (TINY / LAYOUTS_PO).read_text(encoding="utf-8")
    return po, translate_as(layouts, "Page %(number)s", f'Página %(number)s") url({secret.url}) ("')


@pytest.fixture(scope="module")
def hostile_build(
    tmp_path_factory: pytest.TempPathFactory, secret: Secret
) -> tuple[Project, list[Path]]:
    """Both gates off, the catalog's QA and the verification of the output: what is left to
    stop a hostile translation is the rendering itself (escaping, the fetcher)."""
    project = tiny_project(tmp_path_factory.mktemp("hostile") / "p", *hostile_catalogs(secret))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(prepare_module, "check_catalog", lambda *args, **kwargs: [])
        with pytest.raises(RenderError, match=r"\[verify-link-added\]"):
            build(project, "tiny", "es")  # the verifier alone refuses the edition
        mp.setattr(verify_module, "check_edition", lambda *args, **kwargs: None)
        return project, build(project, "tiny", "es")


def test_check_flags_every_markup(tmp_path: Path, secret: Secret) -> None:
    project = tiny_project(tmp_path / "p", *hostile_catalogs(secret))
    markup = [d for d in check(project, ["tiny"]) if d.code == "qa-markup"]
    assert [d.place.line for d in markup] == [25, 29, 37]
    assert all(d.place.path.endswith("tiny.po") for d in markup)


def test_hostile_translations_are_escaped_in_html(
    hostile_build: tuple[Project, list[Path]],
) -> None:
    _project, (_pdf, epub) = hostile_build
    with zipfile.ZipFile(epub) as z:
        section = next(
            z.read(n).decode()
            for n in z.namelist()
            if n.endswith(".xhtml") and "Lo básico" in z.read(n).decode()
        )
    assert "Lo básico&lt;img src=" in section
    for tag in (
        "<img",
        "<script",
        "<iframe",
        "<object",
        "<style",
        '<link rel="stylesheet" href="file',
    ):
        assert tag not in section


def test_hostile_translations_leak_nothing(
    hostile_build: tuple[Project, list[Path]], secret: Secret
) -> None:
    _project, (pdf, epub) = hostile_build
    assert secret.marker not in pdf_bytes(pdf)
    assert secret.marker not in epub_bytes(epub)
    # the markup is shown as text: the reader sees what the catalog says, nothing is fetched or run
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Lo básico<img src=" in text


def test_layout_string_translations_are_escaped(tmp_path: Path, secret: Secret) -> None:
    layouts_po = translate_as(
        (TINY / LAYOUTS_PO).read_text(encoding="utf-8"),
        "Get help now",
        f'<img src="{secret.file_url}">',
    )
    project = tiny_project(tmp_path / "p", layouts_po=layouts_po)
    handbook = project.load("tiny")
    loc = locale_info("es", project.locales)
    catalogs = [(str(p), read_catalog(project.root / p, "es")) for p in (PO, LAYOUTS_PO)]
    curs = current_catalogs(project, handbook, catalogs)
    translated, status = translate(handbook, curs, loc, allow_partial=False)
    gettext = translations(*(cur.catalog for cur in curs))
    assert "<img" in gettext.gettext("Get help now")  # the hostile text reaches the layouts
    html = print_html(project.layouts, present(translated, loc, status), gettext)
    assert "<img" not in html


# --- EPUBs reference no remote resource ------------------------------------------

RESOURCE_ATTRIBUTES = {
    "img": "src",
    "script": "src",
    "link": "href",
    "iframe": "src",
    "object": "data",
    "embed": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
    "image": "{http://www.w3.org/1999/xlink}href",
}


def remote_references(epub: Path) -> list[str]:
    out = []
    with zipfile.ZipFile(epub) as z:
        for name in z.namelist():
            data = z.read(name)
            if name.endswith(".opf"):
                opf = etree.fromstring(data)
                for item in opf.iter("{http://www.idpf.org/2007/opf}item"):
                    if ":" in item.get("href", "") or "remote-resources" in item.get(
                        "properties", ""
                    ):
                        out.append(f"{name}: {item.get('href')}")
            elif name.endswith((".xhtml", ".html")):
                for el in etree.fromstring(data).iter():
                    local = etree.QName(el).localname if isinstance(el.tag, str) else ""
                    value = (
                        el.get(RESOURCE_ATTRIBUTES[local], "")
                        if local in RESOURCE_ATTRIBUTES
                        else ""
                    )
                    if re.match(r"[a-z][a-z0-9+.-]*:", value):
                        out.append(f"{name}: <{local}> {value}")
            elif name.endswith(".css"):
                urls = re.findall(r"url\(\s*['\"]?([a-z][a-z0-9+.-]*:[^'\")]*)", data.decode())
                out.extend(f"{name}: {u}" for u in urls if not u.startswith("data:"))
    return out


def test_epubs_reference_no_remote_resource(built) -> None:  # type: ignore[no-untyped-def]
    for b in built.values():
        assert remote_references(b.epub) == [], b.code


def test_hostile_epub_references_no_remote_resource(
    hostile_build: tuple[Project, list[Path]],
) -> None:
    assert remote_references(hostile_build[1][1]) == []


# --- layouts run sandboxed, and read only layouts/ -------------------------------


def render_layout(project: Project, text: str) -> str:
    (project.layouts / "evil.j2").write_text(text, encoding="utf-8")
    return render_plain(project.layouts, "evil.j2")


@pytest.mark.parametrize(
    "payload",
    [
        "{{ cycler.__init__.__globals__.os.popen('touch MARK').read() }}",
        "{{ lipsum.__globals__['os'].system('touch MARK') }}",
        "{{ joiner.__init__.__globals__.os.system('touch MARK') }}",
        "{{ namespace.__init__.__globals__['__builtins__']['open']('SECRET').read() }}",
        "{{ self._TemplateReference__context.cycler.__init__.__globals__"
        ".os.system('touch MARK') }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ '{0.__class__.__mro__}'.format('') }}",
        # immutable: a layout cannot change what it renders
        "{% set seen = [] %}{{ seen.append(1) }}",
    ],
)
def test_layouts_cannot_reach_python(payload: str, tmp_path: Path, secret: Secret) -> None:
    project = tiny_project(tmp_path / "p")
    marker = tmp_path / "ran"
    text = (
        "<p>fine</p>\n<p>"
        + payload.replace("MARK", str(marker)).replace("SECRET", str(secret.path))
        + "</p>\n"
    )
    with pytest.raises(RenderError) as exc:
        render_layout(project, text)
    [d] = exc.value.diagnostics
    assert (d.code, d.place.path.endswith("layouts/evil.j2"), d.place.line) == (
        "layout-unsafe",
        True,
        2,
    )
    assert not marker.exists()
    assert secret.marker.decode() not in d.message


def test_a_sandboxed_layout_still_renders_what_it_is_given(tmp_path: Path) -> None:
    project = tiny_project(tmp_path / "p")
    text = (
        "{% set ns = namespace(n=0) %}{% for x in items %}{% set ns.n = ns.n + x %}{% endfor %}"
        "{{ ns.n }} {{ '%.1f' | format(1.25) }}"
    )
    (project.layouts / "fine.j2").write_text(text, encoding="utf-8")
    assert render_plain(project.layouts, "fine.j2", items=[1, 2, 3]) == "6 1.2"


def link_to_secret(project: Project, secret: Secret) -> None:
    (project.layouts / "escape.j2").symlink_to(secret.path)
    (project.layouts / "outside").symlink_to(secret.path.parent, target_is_directory=True)


@pytest.mark.parametrize(
    ("include", "code"),
    [
        ("{% include 'escape.j2' %}", "layout-outside"),  # a link to a file outside
        ("{% include 'outside/secret.txt' %}", "layout-outside"),  # a link to a folder outside
        ("{% import 'escape.j2' as x %}", "layout-outside"),
        ("{% extends 'escape.j2' %}", "layout-outside"),
        (
            "{% include '../source/tiny/handbook.yaml' %}",
            "layout-outside",
        ),  # inside the project, but not a layout
        ("{% include '../../' ~ 'outside/secret.txt' %}", "layout-outside"),
        ("{% include '/etc/passwd' %}", "layout-error"),  # names layouts/etc/passwd: there is none
    ],
)
def test_layouts_include_only_layouts(
    include: str, code: str, tmp_path: Path, secret: Secret
) -> None:
    project = tiny_project(tmp_path / "p")
    link_to_secret(project, secret)
    with pytest.raises(RenderError) as exc:
        render_layout(project, "<p>fine</p>\n" + include + "\n")
    [d] = exc.value.diagnostics
    assert (d.code, d.place.path.endswith("layouts/evil.j2"), d.place.line) == (code, True, 2)
    assert secret.marker.decode() not in d.message
    assert str(secret.path.parent) not in d.message


def test_a_link_between_layouts_is_followed(tmp_path: Path) -> None:
    project = tiny_project(tmp_path / "p")
    (project.layouts / "card" / "real.j2").write_text("linked {{ 1 + 1 }}", encoding="utf-8")
    (project.layouts / "alias.j2").symlink_to("card/real.j2")
    assert render_layout(project, "{% include 'alias.j2' %}") == "linked 2"


def test_a_stylesheet_import_out_of_the_project_stops_the_build(
    tmp_path: Path, secret: Secret
) -> None:
    project = tiny_project(tmp_path / "p")
    (project.layouts / "escape.css").symlink_to(secret.path)
    css = project.layouts / "print.css"
    css.write_text(
        '@import url("escape.css");\n' + css.read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(RenderError) as exc:
        build(project, "tiny", "es")
    [d] = exc.value.diagnostics
    assert (d.code, d.place.path.endswith("layouts/print.css"), d.place.line) == (
        "layout-fetch",
        True,
        1,
    )
    assert secret.marker.decode() not in d.message
    assert not project.dist.exists() or not any(project.dist.rglob("*.pdf"))


# --- sources, catalogs and locale settings are read only inside the project ------


def read_source(project: Project) -> object:
    return project.load("tiny")


def read_po(project: Project) -> object:
    return read_catalog(project.root / PO, "es")


def read_locale(project: Project) -> object:
    return locale_info("es", project.locales)


# What a schema or header error would quote, were the file read.
OUTSIDE = {
    "source/tiny/handbook.yaml": "id: tiny\nlanguage: {marker}\n{marker}: x\n",
    "locales/es/LC_MESSAGES/tiny.po": 'msgid ""\nmsgstr "Language: {marker}\\n"\n',
    "locales/es/locale.yaml": "{marker}: x\n",
}


@pytest.mark.parametrize(
    ("inside", "read", "error"),
    [
        ("source/tiny/handbook.yaml", read_source, SourceError),
        ("locales/es/LC_MESSAGES/tiny.po", read_po, CatalogError),
        ("locales/es/locale.yaml", read_locale, CatalogError),
    ],
)
@pytest.mark.parametrize("linked", ["file", "folder"])
def test_files_that_link_out_of_the_project_are_never_read(
    inside: str,
    read: Callable[[Project], object],
    error: type[PipelineError],
    linked: str,
    tmp_path: Path,
) -> None:
    project = tiny_project(tmp_path / "p")
    marker = f"SECRET-{uuid.uuid4().hex}"
    outside = tmp_path / "outside" / inside
    if linked == "folder":  # the file's folder is a link: the file is outside as well
        shutil.copytree((project.root / inside).parent, outside.parent)
        shutil.rmtree((project.root / inside).parent)
        (project.root / inside).parent.symlink_to(outside.parent, target_is_directory=True)
    else:
        outside.parent.mkdir(parents=True)
        (project.root / inside).unlink(missing_ok=True)
        (project.root / inside).symlink_to(outside)
    outside.write_text(OUTSIDE[inside].format(marker=marker), encoding="utf-8")
    with pytest.raises(error) as exc:
        read(project)
    [d] = exc.value.diagnostics
    assert (d.code.endswith("-outside"), d.place.line) == (True, 1)
    assert d.place.path.endswith(inside)  # named by its link, not by where it points
    assert marker not in str(exc.value)


def test_a_link_inside_the_project_is_read(tmp_path: Path) -> None:
    project = tiny_project(tmp_path / "p")
    source = project.root / "source" / "tiny" / "handbook.yaml"
    shutil.move(source, project.root / "shared.yaml")
    source.symlink_to("../../shared.yaml")
    assert project.load("tiny").id == "tiny"
