"""Rules of the stage-object design, checked on the code itself.

* No function of the packages swallows unknown keyword arguments.
* Every stage declares its options in its constructor and has a constraint
  for each; every alias names a stage of its kind.
* The driver has no branch on α: what defends is a property of the stages.
* ``import robust_mlr`` loads neither cvxpy, optuna, matplotlib, dask,
  scikit-learn nor scipy.stats; the learner loads none of the first four.
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from robust_mlr.stages import classification, clustering, regression, subspace
from robust_mlr import preprocess

ROOT = Path(__file__).resolve().parents[1]
KINDS = {"subspace": subspace, "clustering": clustering, "classification": classification,
         "regression": regression}


def _functions(folder):
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path.relative_to(ROOT), node


@pytest.mark.parametrize("folder", ["robust_mlr", "sos", "experiments"])
def test_no_function_swallows_unknown_options(folder):
    bad = [f"{path}:{node.lineno} {node.name}(**{node.args.kwarg.arg})"
           for path, node in _functions(folder)
           if node.args.kwarg is not None and node.args.kwarg.arg.startswith("_")]
    assert bad == [], "a misspelled option must raise, naming it"


def _stage_classes():
    seen = set()
    for kind, pkg in KINDS.items():
        for cls, _ in pkg.ALIASES.values():
            if cls not in seen:
                seen.add(cls)
                yield kind, cls
    yield "preprocessing", preprocess.Screen
    yield "preprocessing", preprocess.Whiten


@pytest.mark.parametrize("kind, cls", list(_stage_classes()),
                         ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_every_stage_declares_and_constrains_its_options(kind, cls):
    assert cls.kind == kind
    options = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    assert set(options) == set(cls._parameter_constraints), (
        f"{cls.__name__}: constraints for {sorted(options)}")
    stage = cls()
    assert stage.get_params() == {o: getattr(stage, o) for o in options}
    assert cls.__doc__ and all(o in cls.__doc__ for o in options), (
        f"{cls.__name__}'s docstring documents every option")


def test_every_alias_names_a_stage_of_its_kind():
    for kind, pkg in KINDS.items():
        base = {"subspace": subspace.SubspaceStage, "clustering": clustering.ClusteringStage,
                "classification": classification.ClassificationStage,
                "regression": regression.RegressionStage}[kind]
        for name, (cls, preset) in pkg.ALIASES.items():
            assert issubclass(cls, base), name
            cls(**preset)._validate_params()


def test_the_driver_has_no_alpha_branch():
    tree = ast.parse((ROOT / "robust_mlr" / "estimator.py").read_text())
    fit = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "fit")
    names = {n.attr if isinstance(n, ast.Attribute) else n.id
             for node in ast.walk(fit) if isinstance(node, (ast.If, ast.IfExp))
             for n in ast.walk(node.test) if isinstance(n, (ast.Attribute, ast.Name))}
    assert not names & {"alpha", "active", "threat"}, names


def _loaded_after(statement):
    code = (f"import sys; {statement}; print(' '.join(m for m in ('cvxpy', 'optuna', "
            f"'matplotlib', 'dask', 'sklearn', 'scipy.stats') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, check=True)
    return out.stdout.split()


def test_import_loads_no_heavy_optional_package():
    assert _loaded_after("import robust_mlr") == []
    assert set(_loaded_after("from robust_mlr import MetaLearner")) <= {"sklearn",
                                                                       "scipy.stats"}
    assert _loaded_after("import sos") == []
