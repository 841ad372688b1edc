"""A release on three machines: `release --shard K/3` in three separate copies of a small
project, joined by `release --merge`, against `release` on one machine.

The project: tests/roots/tiny (English, with a complete Spanish catalog) and a second
handbook, tiny2, in English only: three jobs, one a slice. The merge must rebuild nothing
(building is made to fail while it runs) and give the same bytes: every edition, the
index and the feed; only report.html (it shows build times) and so SHA256SUMS differ.
Then the refusals, each one located line and no traceback (the CLI runs in-process): a
shard of a changed source, a checkout that differs from the shards', a missing slice, a
slice given twice, a damaged file, a folder that is no shard, a malformed --shard.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline import cli, jobs
from pipeline import release as release_module
from pipeline.diagnostics import Place, error
from pipeline.jobs import Job
from pipeline.release import Missing
from pipeline.shard import MANIFEST, Inputs, Manifest, Shard, partition, problems, read_costs

from .conftest import ROOT

TINY = ROOT / "tests" / "roots" / "tiny"
SUBTITLE = "subtitle: Help, in short\n"  # EPUBCheck refuses an EPUB with an empty description
DIAGNOSTIC = re.compile(r"\S+: error: .+ \[[a-z-]+\]")
JOBS = ["tiny/en", "tiny/es", "tiny2/en"]


def small_project(root: Path) -> None:
    shutil.copytree(TINY / "source", root / "source")
    shutil.copytree(TINY / "locales", root / "locales")
    shutil.copytree(ROOT / "layouts", root / "layouts")
    source = root / "source" / "tiny" / "handbook.yaml"
    text = source.read_text(encoding="utf-8").replace("\ndisclaimer:", f"\n{SUBTITLE}disclaimer:")
    source.write_text(text, encoding="utf-8")
    (root / "source" / "tiny2").mkdir()
    second = text.replace("id: tiny\n", "id: tiny2\n").replace("A tiny", "A second tiny")
    (root / "source" / "tiny2" / "handbook.yaml").write_text(second, encoding="utf-8")
    catalog = root / "locales" / "es" / "LC_MESSAGES" / "tiny.po"
    entry = '\nmsgctxt "subtitle"\nmsgid "Help, in short"\nmsgstr "Ayuda, en breve"\n'
    catalog.write_text(catalog.read_text(encoding="utf-8") + entry, encoding="utf-8")


def copy_of(project: Path, target: Path) -> Path:
    """A separate copy of the project's inputs: another machine's checkout."""
    shutil.copytree(project, target, ignore=shutil.ignore_patterns("dist"))
    return target


def handbook(*args: str) -> int:
    return cli.main([str(a) for a in args])


@dataclass(frozen=True)
class Shards:
    project: Path  # released on one machine into its dist/
    costs: Path  # the seconds each of its editions took (--save-costs)
    folders: tuple[Path, ...]  # shard K's folder, each built in its own copy
    base: Path


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> Shards:
    base = tmp_path_factory.mktemp("shards")
    project = base / "one"
    small_project(project)
    copies = [copy_of(project, base / f"copy{k}") for k in (1, 2, 3)]
    costs = base / "costs.json"
    assert handbook("--root", project, "release", "-j", "2", "--save-costs", costs) == 0
    folders = []
    for k, copy in enumerate(copies, 1):
        out = base / f"shard{k}"
        assert handbook("--root", copy, "release", "--shard", f"{k}/3", "--out", out) == 0
        folders.append(out)
    return Shards(project, costs, tuple(folders), base)


def sha256s(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def manifest(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return data


def refused(capsys: pytest.CaptureFixture[str], *args: object) -> list[str]:
    """Run the CLI, which must fail: its error lines, every one a located diagnostic."""
    assert handbook(*map(str, args)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("failed: ")
    assert all(DIAGNOSTIC.fullmatch(line) for line in err[:-1]), err
    return err[:-1]


def test_each_shard_builds_its_own_slice(shards: Shards) -> None:
    slices = []
    for k, folder in enumerate(shards.folders, 1):
        data = manifest(folder)
        assert data["shard"] == [k, 3]
        results = data["results"]
        assert isinstance(results, list)
        ((hid, code),) = (r["job"] for r in results)  # three jobs, three slices
        slices.append(f"{hid}/{code}")
        assert [p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf")] == [
            f"{code}/{hid}.pdf"
        ]
    assert sorted(slices) == JOBS  # disjoint, and every job in one


def test_merged_shards_are_the_one_machine_release(
    shards: Shards, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_building(*args: object, **kwargs: object) -> None:
        raise AssertionError("the merge built an edition")

    monkeypatch.setattr(release_module, "_build_all", no_building)
    monkeypatch.setattr(jobs, "build_job", no_building)
    merged = shards.base / "merged"
    args = ("--root", shards.project, "release", "--merge", *shards.folders, "--out", merged)
    assert handbook(*args) == 0
    one, joined = sha256s(shards.project / "dist"), sha256s(merged)
    said = f"merged 3 shard(s): released 3 edition(s), {len(joined)} files"
    assert capsys.readouterr().out.startswith(said)
    assert set(one) == set(joined)
    assert any(p.endswith("-web/index.html") for p in joined)  # the web editions came too
    editions = [p for p in one if p.endswith((".pdf", ".epub", ".jpg"))]
    assert len(editions) == 12  # PDF, EPUB, cover and thumbnail of 3 editions
    assert {p for p in one if one[p] != joined[p]} == {"report.html", "SHA256SUMS"}
    # report.html shows the build times; SHA256SUMS differs by its line, and lists everything
    sums = (merged / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert sorted(sums) == sorted(f"{sha}  {p}" for p, sha in joined.items() if p != "SHA256SUMS")


def test_a_one_machine_release_saves_the_costs_that_balance_shards(shards: Shards) -> None:
    costs = read_costs(shards.costs)
    assert sorted(costs) == JOBS
    assert all(seconds > 0 for seconds in costs.values())


def test_slices_are_balanced_by_measured_cost() -> None:
    work = [Job("h", code) for code in ("a", "b", "c", "d", "e", "f")]
    costs = {"h/a": 1.0, "h/b": 9.0, "h/c": 4.0, "h/d": 5.0, "h/e": 3.0}  # f never measured
    slices = partition(work, costs, 3)
    assert [[j.locale for j in s] for s in slices] == [["b"], ["a", "d", "e"], ["c", "f"]]
    assert partition(work, costs, 3) == slices  # the same on every machine
    assert partition(work, {}, 4) == (
        (work[0], work[4]),
        (work[1], work[5]),
        (work[2],),
        (work[3],),
    )
    assert partition(work[:1], {}, 3) == ((work[0],), (), ())


def test_a_shard_of_a_changed_source_is_refused(
    shards: Shards, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = copy_of(shards.project, tmp_path / "changed")
    source = changed / "source" / "tiny2" / "handbook.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("short", "brief"), "utf-8")
    third = tmp_path / "shard3"
    assert handbook("--root", changed, "release", "--shard", "3/3", "--out", third) == 0
    capsys.readouterr()
    out = tmp_path / "release"
    (line,) = refused(
        capsys, "--root", shards.project, "release", "--merge", *shards.folders[:2], third,
        "--out", out,
    )  # fmt: skip
    assert line.startswith(f"{third / MANIFEST}: error: shard 3/3 was built from other inputs ")
    assert "these differ: source/tiny2/handbook.yaml;" in line
    assert line.endswith("[shard-inputs-differ]")
    # the shards agree with each other, but not with the checkout that merges them
    (line,) = refused(
        capsys, "--root", changed, "release", "--merge", *shards.folders, "--out", out
    )
    assert "this checkout's; these differ: source/tiny2/handbook.yaml;" in line
    assert not out.exists()


def test_a_missing_or_repeated_slice_is_refused(
    shards: Shards, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, third = shards.folders
    out = tmp_path / "release"
    (line,) = refused(capsys, "--root", shards.project, "release", "--merge", first, third)
    slice_two = manifest(second)["results"]
    assert isinstance(slice_two, list)
    (job,) = ("/".join(r["job"]) for r in slice_two)
    assert line.startswith(
        f"{first / MANIFEST}: error: shard 2/3 is missing (its editions: {job});"
    )
    assert line.endswith("[shard-missing]")
    args = ("--root", shards.project, "release", "--merge", first, second, second, third)
    (line,) = refused(capsys, *args, "--out", out)
    assert line.startswith(f"{second / MANIFEST}: error: shard 2/3 is given twice")
    assert not out.exists()


def test_a_damaged_file_or_a_folder_of_no_shard_is_refused(
    shards: Shards, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = shutil.copytree(shards.folders[0], tmp_path / "shard1")
    (pdf,) = first.rglob("*.pdf")
    pdf.write_bytes(pdf.read_bytes()[:-1])  # a download cut short
    out = tmp_path / "release"
    args = ("--root", shards.project, "release", "--merge", first, *shards.folders[1:])
    (line,) = refused(capsys, *args, "--out", out)
    assert line.startswith(f"{pdf}: error: shard 1/3 released this file but it is not the file")
    assert line.endswith("[shard-file]")
    (line,) = refused(capsys, "--root", shards.project, "release", "--merge", tmp_path)
    assert line.startswith(f"{tmp_path / MANIFEST}: error: {tmp_path}/ is not a shard's folder")
    assert not out.exists()


def test_shards_of_another_partition_or_with_an_edition_held_back(tmp_path: Path) -> None:
    """Checked on the manifests alone: shards of other costs or another N, and an edition
    one shard held back (with --allow-missing), which the merge releases only if allowed."""
    work = tuple(Job("h", code) for code in ("en", "es", "fr"))
    same = Inputs({"source/h/handbook.yaml": "1"}, "code", "0")
    why = error("epubcheck", "EPUBCheck ERROR RSC-005", Place("dist/fr/h.epub"))
    held = Missing("fr", "français", "fr", "ltr", (why,), failed=True)

    def shard(k: int, n: int, slices: tuple[tuple[int, ...], ...]) -> Manifest:
        path = tmp_path / f"s{k}" / MANIFEST
        mine = {work[i]: held for i in slices[k - 1] if work[i].locale == "fr"}
        return Manifest(path, Shard(k, n), ("h",), work, slices, same, 1.0, dict(mine))

    three = ((0,), (1,), (2,))
    assert problems([shard(k, 3, three) for k in (1, 2)], same, allow_missing=True) == [
        error(
            "shard-missing",
            "shard 3/3 is missing (its editions: h/fr); pass its folder too, or build it with "
            "handbook release --shard 3/3",
            Place(str(tmp_path / "s1" / MANIFEST)),
        )
    ]
    other = [shard(1, 3, three), shard(2, 3, ((0, 1), (2,), ())), shard(3, 3, three)]
    (found,) = problems(other, same, allow_missing=True)
    assert (found.code, found.place.path) == ("shard-partition-differs", str(other[1].path))
    assert found.message.startswith("shard 2/3 was cut from another partition than shard 1/3")
    two = [shard(1, 2, ((0, 1), (2,))), shard(2, 2, ((0, 1), (2,))), shard(3, 3, three)]
    assert [p.code for p in problems(two, same, allow_missing=True)] == ["shard-partition-differs"]
    whole = [shard(k, 3, three) for k in (1, 2, 3)]
    assert problems(whole, same, allow_missing=True) == []
    (found,) = problems(whole, same, allow_missing=False)
    assert (found.code, found.place.path) == ("shard-held-back", str(whole[2].path))
    assert found.message == (
        "h/fr was held back by shard 3/3: EPUBCheck ERROR RSC-005; fix it and build that "
        "shard again, or merge with --allow-missing to release the others"
    )


@pytest.mark.parametrize("shard", ["0/3", "4/3", "3", "one/3"])
def test_a_shard_that_is_no_slice_is_refused(
    shard: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small_project(tmp_path)
    assert handbook("--root", tmp_path, "release", "--shard", shard) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"--shard: error: '{shard}' is not a slice: write K/N, the K-th of N slices "
        "(1 <= K <= N), e.g. 2/3 [shard-usage]"
    )
    assert not (tmp_path / "dist").exists()
