import numpy as np
import pytest

from robust_mlr import (MetaDataset, MetaLearner, Pools, ValidationError, make_params,
                        make_tasks)


def _ds():
    rng = np.random.default_rng(0)
    sizes = [3, 1, 4, 2]
    return MetaDataset.from_tasks([(rng.standard_normal((t, 2)), rng.standard_normal(t))
                                   for t in sizes])


def test_layout_and_task_views():
    ds = _ds()
    assert ds.n_tasks == 4 and ds.n_examples == 10 and ds.dim == 2
    assert ds.sizes.tolist() == [3, 1, 4, 2]
    X2, y2 = ds.task(2)
    assert X2.shape == (4, 2) and np.shares_memory(X2, ds.X)
    assert ds.task_index.tolist() == [0, 0, 0, 1, 2, 2, 2, 2, 3, 3]


def test_subset_gathers_the_right_rows():
    ds = _ds()
    sub = ds.subset([3, 0])
    np.testing.assert_array_equal(sub.task(0)[0], ds.task(3)[0])
    np.testing.assert_array_equal(sub.task(1)[1], ds.task(0)[1])
    contiguous = ds.subset([1, 2])
    assert np.shares_memory(contiguous.X, ds.X)
    assert ds.subset(np.array([True, False, True, False])).sizes.tolist() == [3, 4]


def test_select_by_size():
    ds = _ds()
    sub, idx = ds.select_by_size(2, 3)
    assert idx.tolist() == [0, 3] and sub.sizes.tolist() == [3, 2]


def test_from_arrays_groups_by_task_id_in_order_of_appearance():
    X = np.arange(10.0).reshape(5, 2)
    y = np.arange(5.0)
    ds = MetaDataset.from_arrays(X, y, ["b", "a", "b", "c", "a"])
    assert ds.sizes.tolist() == [2, 2, 1]
    assert ds.task(0)[1].tolist() == [0.0, 2.0]
    assert ds.task(1)[1].tolist() == [1.0, 4.0]


def test_save_load_roundtrip(tmp_path):
    theta = make_params(5, 2, rng=0)
    ds = make_tasks(theta, 30, lambda rng, n: rng.integers(1, 6, n), rng=1)
    ds.save(tmp_path / "d.npz")
    back = MetaDataset.load(tmp_path / "d.npz")
    np.testing.assert_array_equal(back.X, ds.X)
    np.testing.assert_array_equal(back.offsets, ds.offsets)
    np.testing.assert_array_equal(back.components, ds.components)


def test_chunk_means_match_a_direct_computation():
    ds = _ds().subset([0, 2, 3])
    b = ds.chunk_means(2, stage="test")
    X0, y0 = ds.task(1)                      # t = 4: chunks [0,2) and [2,4)
    np.testing.assert_allclose(b[0, 1], (y0[:2, None] * X0[:2]).mean(0))
    np.testing.assert_allclose(b[1, 1], (y0[2:, None] * X0[2:]).mean(0))
    X0, y0 = ds.task(0)                      # t = 3: chunks [0,1) and [1,3)
    np.testing.assert_allclose(b[1, 0], (y0[1:, None] * X0[1:]).mean(0))


def test_chunk_means_rejects_small_tasks_naming_the_task():
    with pytest.raises(ValidationError, match="task 1 has t_i=1"):
        _ds().chunk_means(2, stage="subspace")


@pytest.mark.parametrize("X, y, off, msg", [
    (np.array([[np.nan, 0.0]]), [1.0], [0, 1], "non-finite"),
    (np.zeros((2, 2)), [1.0], [0, 2], "y has 1 entries"),
    (np.zeros((2, 2)), [1.0, 2.0], [0, 0, 2], "task 0 has t_i=0"),
    (np.zeros((2, 2)), [1.0, np.inf], [0, 2], "non-finite"),
    (np.zeros((2, 2)), [1.0, 2.0], [0, 3], "end at N=2"),
])
def test_bad_input_is_named(X, y, off, msg):
    with pytest.raises(ValidationError, match=msg):
        MetaDataset(X, y, np.asarray(off))



def test_from_arrays_names_the_array_that_is_short():
    X = np.zeros((10, 3))
    with pytest.raises(ValidationError, match="y has 9 entries but X has 10 rows"):
        MetaDataset.from_arrays(X, np.zeros(9), np.repeat(np.arange(5), 2))
    with pytest.raises(ValidationError, match=r"task_ids has shape \(4,\); expected \(10,\)"):
        MetaDataset.from_arrays(X, np.zeros(10), np.arange(4))


def test_from_arrays_refuses_a_missing_task_id():
    """NaN labels (a pandas column with missing ids) were all made one task
    of unrelated examples; the first is named instead."""
    X = np.random.default_rng(0).standard_normal((6, 2))
    with pytest.raises(ValidationError, match="task_ids holds nan at index 1"):
        MetaDataset.from_arrays(X, np.zeros(6), [7.0, np.nan, 7.0, np.nan, 8.0, np.nan])
    assert MetaDataset.from_arrays(X, np.zeros(6), [7.0, 9.0, 7.0, 9.0, 8.0, 9.0]).n_tasks == 3

def test_from_tasks_rejects_mismatched_task():
    with pytest.raises(ValidationError, match="task 1"):
        MetaDataset.from_tasks([(np.zeros((2, 3)), np.zeros(2)), (np.zeros((2, 4)), np.zeros(2))])


def test_pools_from_dataset_cut_by_size():
    theta = make_params(4, 2, rng=0)
    ds = make_tasks(theta, 200, lambda rng, n: np.where(rng.random(n) < 0.2, 40, 3), rng=1)
    pools = Pools.from_dataset(ds, heavy_min_size=20, rng=0)
    assert np.all(pools.heavy.sizes == 40)
    assert np.all(pools.light1.sizes == 3) and np.all(pools.light2.sizes == 3)
    assert pools.light1.n_tasks + pools.light2.n_tasks + pools.heavy.n_tasks == 200



def test_pools_from_dataset_sends_one_example_tasks_to_light2():
    # The subspace stage splits every light1 task in two; a task of one
    # example can only be classified, so it joins light2 whatever the draw.
    theta = make_params(4, 2, rng=0)
    sizes = lambda rng, n: np.select([rng.random(n) < 0.1, rng.random(n) < 0.4], [40, 1], 3)
    ds = make_tasks(theta, 300, sizes, rng=1)
    n_one = int(np.sum(ds.sizes == 1))
    assert n_one > 50
    for seed in range(5):
        pools = Pools.from_dataset(ds, heavy_min_size=20, rng=seed)
        assert np.all(pools.light1.sizes == 3)
        assert np.sum(pools.light2.sizes == 1) == n_one
        assert pools.light1.n_tasks + pools.light2.n_tasks + pools.heavy.n_tasks == 300
        MetaLearner.icml(2, rng=0).fit(pools)                    # used to fail in light1


def test_pools_from_dataset_needs_two_light_tasks_that_split():
    ds = MetaDataset.from_tasks([(np.ones((t, 2)), np.ones(t)) for t in [1, 1, 1, 2, 30]])
    with pytest.raises(ValidationError, match="heavy_min_size=20 leaves 1 light tasks of two"):
        Pools.from_dataset(ds, heavy_min_size=20, rng=0)

def test_split_query():
    ds = _ds().subset([0, 2, 3])
    sup, Xq, yq = ds.split_query()
    assert sup.sizes.tolist() == [2, 3, 1]
    np.testing.assert_array_equal(yq, [ds.task(i)[1][-1] for i in range(3)])
