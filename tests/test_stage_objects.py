"""Stage objects: declared options (a misspelled one raises, naming it and the
valid ones), nested parameters through the learner, presets, the threat
model handed to every stage, and the driver's warning when α meets a stage
that does not defend against it."""

import warnings

import numpy as np
import pytest

from robust_mlr import (MetaLearner, ThreatModel, ValidationError, cluster_heavy,
                        estimate_subspace, make_params, make_pools)
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.exceptions import ConvergenceWarning
from robust_mlr.preprocess import Screen
from robust_mlr.stages import classification, clustering, regression, subspace
from robust_mlr.stages.regression import fit_components

ALL_ALIASES = [(pkg, name) for pkg in (subspace, clustering, classification, regression)
               for name in pkg.ALIASES]


@pytest.fixture(scope="module")
def problem():
    theta = make_params(6, 2, rng=0)
    return theta, make_pools(theta, 3000, 2, 60, 48, 1500, 8, rng=1)


@pytest.mark.parametrize("pkg, name", ALL_ALIASES)
def test_every_stage_rejects_a_misspelled_option_naming_the_valid_ones(pkg, name):
    cls, preset = pkg.ALIASES[name]
    stage = cls(**preset)
    valid = list(stage.get_params())
    with pytest.raises(ValidationError, match=f"{cls.__name__} has no option 'nope'; valid "
                                              f"options: {', '.join(valid) or 'none'}"):
        cls(nope=1)
    with pytest.raises(ValidationError, match=f"{cls.__name__} has no option 'nope'"):
        stage.set_params(nope=1)


def test_close_misspellings_are_suggested():
    with pytest.raises(ValidationError, match=r"has no option 'max_iterr' \(did you mean "
                                              r"'max_iter'\?\)"):
        MetaLearner.robust(2, 0.05).set_params(regression__max_iterr=3)
    with pytest.raises(ValidationError, match=r"'regresion' \(did you mean 'regression'\?\)"):
        MetaLearner.robust(2, 0.05, regresion="ls")
    with pytest.raises(ValidationError, match=r"clustering method 'peng_wie' unknown \(did you "
                                              r"mean 'peng_wei'\?\)"):
        MetaLearner(2, clustering="peng_wie").fit(make_pools(make_params(4, 2, rng=0), 200, 2,
                                                             20, 16, 100, 4, rng=1))


def test_function_forms_reject_unknown_options(problem):
    theta, pools = problem
    with pytest.raises(ValidationError, match="Linkage has no option 'solver'"):
        cluster_heavy(pools.heavy, theta.W, 2, "single", solver="SCS")
    with pytest.raises(ValidationError, match="MomentPCA has no option 'clip'"):
        estimate_subspace(pools.light1, 2, "pca", clip=2.0)
    with pytest.raises(ValidationError, match="LeastSquares has no option 'max_iter'"):
        fit_components(pools.light2, np.zeros(pools.light2.n_tasks, int), 2, "ls", max_iter=3)


def test_nested_parameters_reach_the_stage(problem):
    theta, pools = problem
    model = MetaLearner.robust(2, 0.05, rng=0)
    params = model.get_params(deep=True)
    assert params["regression__max_iter"] == 50 and params["classification__flag_level"] == 1e-3
    model.set_params(regression__max_iter=7, subspace__clip=3.0)
    assert model.regression.max_iter == 7 and model.subspace.clip == 3.0
    # a stage given by name becomes its object when one of its options is set
    icml = MetaLearner.icml(2).set_params(clustering__linkage="average")
    assert isinstance(icml.clustering, clustering.Linkage)
    assert icml.clustering.linkage == "average"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(pools)
    assert model.stages_["regression"].max_iter == 7 and model.stages_["subspace"].clip == 3.0
    assert model.regression is not model.stages_["regression"]   # fitting clones the stage


def test_the_regression_filter_receives_max_iter(problem):
    theta, pools = problem
    bad = corrupt_pools(pools, "sign_flip", 0.1, theta=theta, targets=("light2",), rng=2)
    model = MetaLearner.robust(2, 0.1, rng=0).set_params(regression__max_iter=1)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        model.fit(bad)


def test_presets_build_the_papers_learners():
    assert MetaLearner.icml(3, rng=1).get_params() == dict(MetaLearner(3, rng=1).get_params(),
                                                           clustering="linkage")
    robust = MetaLearner.robust(3, 0.05)
    kinds = {k: type(v).__name__ for k, v in robust.resolved_stages().items()}
    assert kinds == {"subspace": "FilterPCA", "clustering": "BySize",
                     "classification": "Likelihood", "regression": "FilterRegression"}
    assert repr(robust.clustering) == ("BySize(small=EM(robust=True), "
                                       "large=PengWei(robust=True))")
    assert all(stage.robust for stage in robust.resolved_stages().values())
    assert not any(stage.robust for stage in MetaLearner(3).resolved_stages().values())
    assert MetaLearner.robust(3, 0.05, clustering="moments_robust").clustering == "moments_robust"


def test_alpha_with_a_plain_stage_warns_naming_it(problem):
    _, pools = problem
    with pytest.warns(UserWarning, match=r"not robust to it: subspace=MomentPCA \(robust: "
                                         r"filter, hrpca\); clustering=BySize \(robust: "
                                         r"peng_wei_robust, sos_m4, sos_m6, moments_robust, "
                                         r"em_robust\)"):
        MetaLearner(2, alpha=0.05, regression="filter", classification="flag",
                    rng=0).fit(pools)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        MetaLearner(2, clustering="em", rng=0).fit(pools)     # alpha = 0: nothing to say


def test_screening_follows_the_stages_unless_set(problem):
    _, pools = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert "screen" not in MetaLearner(2, rng=0).fit(pools).diagnostics_
        assert "screen" in MetaLearner.robust(2, 0.05, rng=0).fit(pools).diagnostics_
        assert "screen" not in MetaLearner.robust(2, 0.05, screen=None,
                                                  rng=0).fit(pools).diagnostics_
        forced = MetaLearner(2, screen=Screen(delta=0.01), rng=0).fit(pools)
    assert "screen" in forced.diagnostics_


def test_a_users_own_stage_composes(problem):
    theta, pools = problem

    class TrueSubspace(subspace.SubspaceStage):
        """The true span(W): an oracle a researcher compares against."""

        def _estimate(self, data, k, threat, rng, options):
            return subspace.SubspaceResult(np.linalg.qr(theta.W)[0])

    model = MetaLearner(2, subspace=TrueSubspace(), rng=0).fit(pools)
    np.testing.assert_allclose(model.U_, np.linalg.qr(theta.W)[0])
    with pytest.raises(ValidationError, match="subspace must be a name in"):
        MetaLearner(2, subspace=clustering.KMeans()).fit(pools)


def test_one_threat_model_sets_every_budget():
    threat = ThreatModel(0.05)
    assert threat.budget(400) == 20 and threat.budget(100) == 5
    assert ThreatModel(0.29).budget(100) == 29                 # 0.29 * 100 rounds below 29
    with pytest.raises(ValidationError, match="alpha must be < 0.5, got 0.5"):
        ThreatModel(0.5)


def test_the_adversary_reads_the_learner_it_attacks():
    learner = MetaLearner.robust(3, 0.05).set_params(classification__flag_level=1e-2,
                                                     subspace__clip=3.0)
    assert attack_settings(learner) == {"alpha": 0.05, "flag_level": 1e-2, "clip": 3.0}
    assert "flag_level" not in attack_settings(MetaLearner(3), 0.1)


def test_a_robust_fit_validates_once_and_projects_the_heavy_tasks_once_per_basis(
        problem, monkeypatch):
    """The pools are checked when they are built; inside fit, subsets, scaled
    and whitened copies are not checked again, and the heavy tasks are
    projected once on the directions off U (the heavy basis) and once on the
    augmented basis the clustering works in."""
    from robust_mlr import MetaDataset
    _, pools = problem
    built, projected = [], []
    init, chunk_means = MetaDataset.__init__, MetaDataset.chunk_means

    def counting_init(self, *args, **kwargs):
        built.append(1)
        init(self, *args, **kwargs)

    def counting_chunk_means(self, n_chunks, stage="this stage", values=None):
        if self.n_tasks == pools.heavy.n_tasks and values is not None:
            projected.append(values.shape[1])
        return chunk_means(self, n_chunks, stage, values)

    monkeypatch.setattr(MetaDataset, "__init__", counting_init)
    monkeypatch.setattr(MetaDataset, "chunk_means", counting_chunk_means)
    for covariates in ("isotropic", "estimate"):
        built.clear(), projected.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MetaLearner.robust(2, 0.05, rng=0, covariates=covariates).fit(pools)
        assert built == []
        d, k = pools.dim, 2
        assert sorted(projected) == sorted([d - k, min(2 * k, d)])


def test_fits_outside_the_design_regime_warn(problem):
    theta, pools = problem
    tiny = pools.replace(heavy=pools.heavy.subset(np.arange(3)))
    with pytest.warns(UserWarning, match=r"n_H=3 tasks for k=2 components"):
        MetaLearner(2, rng=0).fit(tiny)
    three = make_pools(make_params(6, 3, rng=0), 3000, 2, 60, 48, 1500, 8, rng=1)
    with pytest.warns(UserWarning, match=r"alpha=0.34 is not below the component share "
                                         r"p_min=0.333 \(at most 1/k"):
        MetaLearner(3, alpha=0.34, rng=0).fit(three)


def test_by_size_picks_em_for_small_heavy_tasks_and_linkage_for_large_ones():
    theta = make_params(6, 2, rng=0)
    small = make_pools(theta, 3000, 2, 300, 4, 1500, 8, rng=1)
    large = make_pools(theta, 3000, 2, 60, 48, 1500, 8, rng=1)
    for pools, chosen, kind in ((small, "small", "EM"), (large, "large", "Linkage")):
        model = MetaLearner(2, rng=0).fit(pools)
        assert model.diagnostics_["clustering"]["by_size"]["chosen"] == chosen
        assert type(model.stages_["clustering"].chosen_).__name__ == kind
    model = MetaLearner(2, rng=0).set_params(clustering__large__linkage="average",
                                             clustering__t_switch=2)
    assert model.clustering.large.linkage == "average" and model.clustering.t_switch == 2
    with pytest.raises(ValidationError, match="clustering: small: clustering method 'emm'"):
        MetaLearner(2, clustering=clustering.BySize(small="emm")).fit(small)


def test_a_robust_regression_keeps_the_cluster_estimate_of_an_unsupported_component(problem):
    """A fake heavy component can leave a true one without light tasks: the
    robust stage keeps the clustering's estimate for it and fails its test
    (a CorruptionWarning in the learner); the plain stage keeps it too, with a
    ConvergenceWarning, and raises only without the clustering's estimates."""
    from robust_mlr import EmptyClusterError
    theta, pools = problem
    labels = np.where(pools.light2.components == 1, 0, pools.light2.components)   # 1 emptied
    prior = (np.full((6, 2), 7.0), np.array([3.0, 5.0]), np.array([0.5, 0.5]))
    stage = regression.FilterRegression().fit(pools.light2, labels, 2, prior=prior,
                                              threat=ThreatModel(0.05), rng=0)
    np.testing.assert_array_equal(stage.W_[:, 1], 7.0)
    assert stage.s2_[1] == 5.0 and np.all(np.isfinite(stage.W_))
    assert stage.info_["unsupported_components"] == [1] and not stage.info_["passed"]
    from robust_mlr.exceptions import ConvergenceWarning
    with pytest.warns(ConvergenceWarning, match=r"components \[1\] received no light tasks"):
        plain = regression.LeastSquares().fit(pools.light2, labels, 2, prior=prior)
    np.testing.assert_array_equal(plain.W_[:, 1], 7.0)
    with pytest.raises(EmptyClusterError, match="component 1 received 0 tasks"):
        regression.LeastSquares().fit(pools.light2, labels, 2)
