"""The Python blocks of the documentation run as a reader pastes them.

A page's blocks run in order in one namespace (a later block may use a name
an earlier one defined, never one the page does not define), in a fresh
folder, and warn of nothing: a snippet that needs explaining says so in its
page. The red-team search (150 fits) and the out-of-core page (10^6
examples on disk, a local Dask cluster) run with ``-m slow``.
"""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[1] / "docs"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks(page):
    text = (DOCS / page).read_text()
    return [(text[:m.start()].count("\n") + 1, m.group(1)) for m in _BLOCK.finditer(text)]


def _run_page(page, keep=lambda code: True):
    ns = {"__name__": "docs_snippet"}
    ran = 0
    for line, code in _blocks(page):
        if keep(code):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                exec(compile(code, f"docs/{page}:{line}", "exec"), ns)
            ran += 1
    return ns, ran


def _is_search(code):
    return "red_team(" in code


@pytest.mark.parametrize("page", ["learner.md", "data.md", "clustering.md", "adversary.md",
                                  "moments.md"])
def test_page_snippets_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns, ran = _run_page(page, keep=lambda code: not _is_search(code))
    assert ran >= 1
    if page == "data.md":                       # the estimates its comment announces
        assert abs(ns["model"].s2_ - 0.25).max() < 0.05
        assert abs(ns["model"].p_ - 0.5).max() < 0.05
        assert (tmp_path / "tasks.npz").exists()
    if page == "moments.md":                    # the errors its comment announces
        assert ns["tilde"]["w_err"] < 0.3 and ns["final"]["w_err"] < 0.08
    if page == "adversary.md":
        assert ns["bad"].masks["heavy"].sum() == int(0.05 * ns["pools"].heavy.n_tasks)


def test_every_page_with_python_is_run():
    """A page that gains a Python block is added to the tests above."""
    covered = {"learner.md", "data.md", "clustering.md", "adversary.md", "moments.md",
               "scaling.md"}
    with_python = {p.name for p in DOCS.glob("*.md") if _blocks(p.name)}
    assert with_python <= covered, with_python - covered


@pytest.mark.slow
def test_red_team_snippet_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns, ran = _run_page("adversary.md")
    assert ran == len(_blocks("adversary.md"))
    res = ns["res"]
    assert res.worst_error >= res.clean_error


@pytest.mark.slow
def test_scaling_snippets_run_as_a_script(tmp_path):
    """Each block as a script, in order: the Dask block starts worker
    processes, which import it again."""
    pytest.importorskip("dask.distributed")
    for i, (_, code) in enumerate(_blocks("scaling.md")):
        script = tmp_path / f"snippet{i}.py"
        script.write_text(code)
        r = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                           text=True, timeout=900)
        assert r.returncode == 0, r.stderr[-3000:]
    assert (tmp_path / "p6" / "light1" / "manifest.json").exists()


def test_every_attack_of_the_catalogue_is_described():
    """Each registered attack has a row (`name` | ...) in the adversary page."""
    from robust_mlr.adversary import ATTACKS
    text = (DOCS / "adversary.md").read_text()
    described = set(re.findall(r"^\| `([a-z_0-9]+)` \|", text, re.M))
    assert set(ATTACKS) <= described, sorted(set(ATTACKS) - described)
