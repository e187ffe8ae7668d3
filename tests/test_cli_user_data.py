"""``robust-mlr fit | predict | generate`` on a user's own CSV: the mistakes a
new user makes end in one line naming the option, file line or column."""

import csv
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from robust_mlr.cli import main
from robust_mlr.cli_data import read_csv_tasks
from robust_mlr.exceptions import ValidationError

from cli_helpers import cli_error


def _write_csv(path, seed=0, n_light=600, n_heavy=40, d=4):
    """A mixture of two regressions with string task ids, light and heavy tasks."""
    rng = np.random.default_rng(seed)
    W = np.linalg.qr(np.random.default_rng(99).standard_normal((d, 2)))[0]
    sizes = np.r_[np.full(n_light, 3), np.full(n_heavy, 30)]
    comp = rng.integers(0, 2, sizes.size)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["task", *[f"x{j}" for j in range(d)], "y"])
        for i, (t, c) in enumerate(zip(sizes, comp)):
            X = rng.standard_normal((t, d))
            y = X @ W[:, c] + 0.3 * rng.standard_normal(t)
            w.writerows([f"user{i}", *row, yi] for row, yi in zip(X.tolist(), y.tolist()))
    return path


def _edit(src, dst, line, col, value=None, drop=False):
    """Copy ``src`` to ``dst`` with file line ``line`` (1-based) changed."""
    rows = list(csv.reader(open(src, newline="")))
    if drop:
        rows[line - 1] = rows[line - 1][:-2]
    else:
        rows[line - 1][col] = value
    with open(dst, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    return dst



@pytest.fixture
def user_csv(tmp_path):
    return _write_csv(tmp_path / "mine.csv")


@pytest.mark.parametrize("col, value, needle", [
    (3, "nan", "line 40, column 'x2': nan is not a finite number"),
    (4, "inf", "line 40, column 'x3': inf is not a finite number"),
    (2, "", "line 40, column 'x1': '' is not a number"),
    (5, "abc", "line 40, column 'y': 'abc' is not a number"),
])
def test_bad_cell_is_named_by_file_line_and_column(user_csv, tmp_path, capsys, col, value,
                                                   needle):
    bad = _edit(user_csv, tmp_path / "bad.csv", 40, col, value)
    for argv in (["fit", str(bad), "--k", "2", "--heavy-min-size", "10", "--out",
                  str(tmp_path / "m.json")], ["predict", str(tmp_path / "none.json"), str(bad)]):
        if argv[0] == "predict":
            main(["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", "--out",
                  argv[1]])
            capsys.readouterr()
        assert needle in cli_error(capsys, argv)
    with pytest.raises(ValidationError, match="line 40"):
        read_csv_tasks(bad)


def test_short_row_is_named(user_csv, tmp_path, capsys):
    bad = _edit(user_csv, tmp_path / "short.csv", 17, None, drop=True)
    err = cli_error(capsys, ["fit", str(bad), "--k", "2", "--heavy-min-size", "10",
                          "--out", str(tmp_path / "m.json")])
    assert "short.csv, line 17: 4 fields, the header has 6" in err


def test_long_row_is_named_not_cut_to_the_header(user_csv, tmp_path, capsys):
    # an unquoted comma in a cell shifts the row; its fields must not be dropped silently
    bad = _edit(user_csv, tmp_path / "long.csv", 23, 0, "Smith, J")
    bad.write_text(bad.read_text().replace('"Smith, J"', "Smith, J"))
    err = cli_error(capsys, ["fit", str(bad), "--k", "2", "--heavy-min-size", "10",
                          "--out", str(tmp_path / "m.json")])
    assert "long.csv, line 23: 7 fields, the header has 6" in err
    rows = user_csv.read_text().splitlines()
    last = tmp_path / "last.csv"                   # the last line, with no line break
    last.write_text("\n".join(rows[:-1] + [rows[-1] + ",1.0"]))
    with pytest.raises(ValidationError, match=f"line {len(rows)}: 7 fields"):
        read_csv_tasks(last)


def test_repeated_column_name_is_refused(user_csv, tmp_path, capsys):
    bad = _edit(user_csv, tmp_path / "twice.csv", 1, 2, "x0")
    err = cli_error(capsys, ["fit", str(bad), "--k", "2", "--heavy-min-size", "10",
                          "--out", str(tmp_path / "m.json")])
    assert "twice.csv: column name(s) 'x0' appear more than once" in err


def test_hash_and_blank_lines_in_a_csv(user_csv, tmp_path):
    # '#' is an ordinary character of a task id (no comment lines); blank lines are skipped
    rows = user_csv.read_text().splitlines()
    edited = tmp_path / "hash.csv"
    edited.write_text("\n".join(rows[:1] + ["", "\r"] + [r.replace("user", "#u", 1)
                                                        for r in rows[1:]]) + "\n")
    ds = read_csv_tasks(edited)
    assert (ds.n_tasks, ds.n_examples) == (read_csv_tasks(user_csv).n_tasks, len(rows) - 1)
    edited.write_text(re.sub(r"\n#u2,[^,]*,", "\n#u2,nan,", edited.read_text(), count=1))
    with pytest.raises(ValidationError, match=r"line 10, column 'x0': nan is not a finite"):
        read_csv_tasks(edited)             # the file's line, counting the blank ones


def test_a_quoted_csv_reads_as_the_unquoted_one(user_csv, tmp_path):
    # spreadsheet exports quote every field; a quoted comma belongs to its field
    rows = list(csv.reader(open(user_csv, newline="")))
    rows[1:4] = [["Smith, J", *r[1:]] for r in rows[1:4]]
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    with open(plain, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    with open(quoted, "w", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows(rows)
    a, b = read_csv_tasks(plain), read_csv_tasks(quoted)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert np.array_equal(a.sizes, b.sizes) and a.n_tasks == read_csv_tasks(user_csv).n_tasks


def test_a_file_read_the_wrong_way_says_how_files_are_read(user_csv, tmp_path, capsys):
    rows = list(csv.reader(open(user_csv, newline="")))
    for name, sep in (("semi.csv", ";"), ("tabs.tsv", "\t")):
        with open(tmp_path / name, "w", newline="") as f:
            csv.writer(f, delimiter=sep).writerows(rows)
    err = cli_error(capsys, ["fit", str(tmp_path / "semi.csv"), "--k", "2", "--heavy-min-size",
                          "10", "--out", str(tmp_path / "m.json")])
    assert "no task-id column 'task'" in err and "this header has ';' between them" in err
    err = cli_error(capsys, ["fit", str(tmp_path / "tabs.tsv"), "--k", "2", "--heavy-min-size",
                          "10", "--out", str(tmp_path / "m.json")])
    assert "tabs.tsv: not a chunked directory, an .npz, a .csv or a .parquet file" in err


def test_spreadsheet_encodings(user_csv, tmp_path, capsys):
    # Excel's "CSV UTF-8" starts with a byte-order mark; its plain "CSV" may be Latin-1
    text = user_csv.read_text()
    bom = tmp_path / "bom.csv"
    bom.write_text(text, encoding="utf-8-sig")
    plain = read_csv_tasks(user_csv)
    assert np.array_equal(read_csv_tasks(bom).X, plain.X)
    for name, edit, line in (("head.csv", ("x1", "x\u00e91"), 1),
                             ("cell.csv", ("user1,", "\u00e9l\u00e8ve1,"), 5)):
        latin = tmp_path / name
        latin.write_text(text.replace(*edit), encoding="latin-1")
        err = cli_error(capsys, ["fit", str(latin), "--k", "2", "--heavy-min-size", "10",
                              "--out", str(tmp_path / "m.json")])
        assert f"{name}, line {line}: byte 0xe9 is not UTF-8 text" in err


def test_misspelled_option_names_the_command_and_the_closest_option(user_csv, capsys):
    err = cli_error(capsys, ["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10",
                          "--alpah", "0.05", "--out", "m.json"])
    assert err.startswith("robust-mlr fit: error: unrecognized arguments: --alpah 0.05")
    assert "did you mean --alpha?" in err
    err = cli_error(capsys, ["experiment", "run", "icml_fig3", "--quik"])
    assert err.startswith("robust-mlr experiment run: error:") and "--quick?" in err


def test_negative_seed_is_one_line(user_csv, tmp_path, capsys):
    err = cli_error(capsys, ["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10",
                          "--seed", "-1", "--out", str(tmp_path / "m.json")])
    assert "argument --seed: seed must be >= 0, got -1" in err
    err = cli_error(capsys, ["generate", str(tmp_path / "g"), "--d", "4", "--k", "2",
                          "--light1", "10", "2", "--heavy", "10", "8", "--light2", "10", "2",
                          "--seed", "-1"])
    assert "seed must be >= 0, got -1" in err


def test_output_path_is_checked_before_the_fit(user_csv, tmp_path, capsys):
    (tmp_path / "folder").mkdir()
    err = cli_error(capsys, ["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10",
                          "--out", str(tmp_path / "folder")])
    assert "model file" in err and "is a folder" in err and "fit icml" not in err


def test_an_output_path_that_is_an_input_is_refused(user_csv, tmp_path, capsys):
    before = user_csv.read_bytes()
    model = tmp_path / "m.json"
    err = cli_error(capsys, ["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10",
                          "--out", str(user_csv)])
    assert f"--out {user_csv}: that is the input" in err and user_csv.read_bytes() == before
    main(["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", "--out", str(model)])
    for out in (model, user_csv):
        err = cli_error(capsys, ["predict", str(model), str(user_csv), "--out", str(out)])
        assert f"--out {out}: that is the input" in err
    pools = tmp_path / "p"
    main(["generate", str(pools), "--d", "4", "--k", "2", "--light1", "300", "2",
          "--heavy", "40", "32", "--light2", "300", "4"])
    truth = (pools / "params.json").read_bytes()
    err = cli_error(capsys, ["fit", str(pools), "--k", "2", "--out", str(pools / "params.json")])
    assert "that is inside the input directory" in err
    assert (pools / "params.json").read_bytes() == truth


def test_options_that_do_not_apply_are_refused(user_csv, tmp_path, capsys):
    pools = tmp_path / "p"
    main(["generate", str(pools), "--d", "4", "--k", "2", "--light1", "300", "2",
          "--heavy", "40", "32", "--light2", "300", "4"])
    capsys.readouterr()
    err = cli_error(capsys, ["fit", str(pools), "--k", "2", "--heavy-min-size", "10",
                          "--out", str(tmp_path / "m.json")])
    assert "--heavy-min-size 10" in err and "pools directory" in err
    err = cli_error(capsys, ["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10",
                          "--dask", "local", "--out", str(tmp_path / "m.json")])
    assert "--dask local" in err and "in memory" in err
    err = cli_error(capsys, ["generate", str(pools), "--d", "4", "--k", "2", "--light1", "30",
                          "2", "--heavy", "4", "32", "--light2", "30", "4"])
    assert f"{pools} exists; pass --overwrite" in err


def test_predict_names_a_dimension_mismatch_and_keeps_the_task_ids(user_csv, tmp_path,
                                                                    capsys):
    model = tmp_path / "m.json"
    main(["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", "--out", str(model)])
    assert "warning" not in capsys.readouterr().err          # a clean fit of clear clusters
    other = _write_csv(tmp_path / "d6.csv", d=6)
    err = cli_error(capsys, ["predict", str(model), str(other)])
    assert "d6.csv has d=6 features but the model" in err and "fitted with d=4" in err
    new = _write_csv(tmp_path / "new.csv", seed=1)
    out = tmp_path / "components.csv"
    assert main(["predict", str(model), str(new), "--holdout", "--out", str(out)]) == 0
    rows = list(csv.DictReader(open(out)))
    assert [r["task"] for r in rows[:3]] == ["user0", "user1", "user2"]
    assert len(rows) == 640 and {r["component"] for r in rows} == {"0", "1"}


def test_holdout_names_a_task_too_small_to_hold_one_out(user_csv, tmp_path, capsys):
    model = tmp_path / "m.json"
    main(["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", "--out", str(model)])
    rows = list(csv.reader(open(user_csv, newline="")))
    with open(tmp_path / "one.csv", "w", newline="") as f:
        csv.writer(f).writerows([rows[0], rows[1]])              # user0, one example
    err = cli_error(capsys, ["predict", str(model), str(tmp_path / "one.csv"), "--holdout"])
    assert "task user0 of" in err and "has 1 example" in err



@pytest.mark.parametrize("field, value, needle", [
    ("p", [0.5, 0.7], "model field 'p' must be a probability vector (nonnegative, summing "
                      "to 1), got [0.5, 0.7]"),
    ("s2", [-1.0, 0.1], "model field 's2' must be positive, got [-1.0, 0.1]"),
    ("s2", [0.1, float("nan")], "model field 's2' holds nan at index 1; expected finite"),
    ("W", [[0.1, 0.2], [0.3, float("inf")], [0.0, 0.0], [0.0, 0.0]],
     "model field 'W' holds inf at index [1, 1]; expected finite"),
])
def test_an_edited_model_file_names_the_bad_field_and_its_value(user_csv, tmp_path, capsys,
                                                                field, value, needle):
    import json
    model = tmp_path / "m.json"
    main(["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", "--out", str(model)])
    m = json.loads(model.read_text())
    m[field] = value
    model.write_text(json.dumps(m))
    err = cli_error(capsys, ["predict", str(model), str(user_csv)])
    assert needle in err, err

def test_plotting_a_data_csv_quotes_its_header_cleanly(user_csv, capsys):
    err = cli_error(capsys, ["experiment", "plot", str(user_csv)])
    assert "'task,x0,x1,x2,x3,y' lacks the column(s)" in err       # no trailing '\r'


def test_unreachable_dask_scheduler_is_one_line_naming_the_option(tmp_path, capsys):
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.distributed")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        err = cli_error(capsys, ["experiment", "run", "icml_fig3", "--quick", "--no-progress",
                              "--dask", "tcp://127.0.0.1:9", "--out", str(tmp_path)])
    assert err.startswith("robust-mlr experiment run: error: --dask tcp://127.0.0.1:9: ")


def test_a_loaded_model_file_says_what_it_holds(user_csv, tmp_path, capsys):
    from robust_mlr.modelfile import load_model
    model = tmp_path / "m.json"
    main(["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", "--alpha", "0.05",
          "--method", "robust", "--out", str(model)])
    text = repr(load_model(model))
    assert text.startswith("FittedMixture(k=2, d=4, method='robust', alpha=0.05, data=")


def test_a_long_warning_is_printed_whole_on_one_line(tmp_path, capsys):
    # heavy tasks of 4 examples: single linkage chains, and the warning's advice is its end
    from robust_mlr import MetaDataset, make_params, make_pools
    pools = make_pools(make_params(d=8, k=4, rng=0), 4000, 2, 100, 4, 3000, 3, rng=1)
    parts = [pools[name] for name in ("light1", "heavy", "light2")]
    sizes = np.concatenate([p.sizes for p in parts])
    MetaDataset(np.vstack([p.X for p in parts]), np.concatenate([p.y for p in parts]),
                np.r_[0, np.cumsum(sizes)]).save(tmp_path / "d.npz")
    main(["fit", str(tmp_path / "d.npz"), "--k", "4", "--heavy-min-size", "4", "--clustering",
          "single", "--out", str(tmp_path / "m.json")])
    line = next(t for t in capsys.readouterr().err.splitlines() if "far below" in t)
    assert len(line) > 240 and line.endswith("(try --clustering linkage or em)"), line


def test_alpha_alone_fits_the_robust_learner(user_csv, tmp_path, capsys):
    from robust_mlr.modelfile import load_model
    for extra, method in (([], "icml"), (["--alpha", "0.05"], "robust"),
                          (["--alpha", "0.05", "--method", "icml"], "icml")):
        model = tmp_path / f"{method}{len(extra)}.json"
        main(["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", *extra,
              "--out", str(model)])
        assert capsys.readouterr().out.startswith(f"fit {method}:")
        assert f"method='{method}'" in repr(load_model(model))


def test_clustering_is_chosen_on_the_command_line(user_csv, tmp_path, capsys):
    """The linkage warning says 'try clustering=...': the CLI user can."""
    import json
    model = tmp_path / "m.json"
    main(["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", "--clustering", "em",
          "--out", str(model)])
    assert "clustering EM()" in capsys.readouterr().out
    assert json.loads(model.read_text())["learner"]["clustering"] == "EM()"
    err = cli_error(capsys, ["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10",
                          "--clustering", "emm", "--out", str(model)])
    assert "--clustering emm: no such clustering stage (did you mean em?)" in err


def test_a_failed_command_leaves_no_output_it_created(user_csv, tmp_path, capsys):
    """A fit (or prediction) that fails removes the --out folders it made
    for its output; a folder or file that was there before is kept whole."""
    rows = list(csv.reader(open(user_csv, newline="")))
    with open(tmp_path / "no_y.csv", "w", newline="") as f:
        csv.writer(f).writerows([r[:-1] for r in rows])            # the response column dropped
    new = tmp_path / "new"
    for data, extra, needle in ((tmp_path / "no_y.csv", [], "no response column 'y'"),
                                (user_csv, ["--k", "9"], "--k 9: more components than")):
        argv = ["fit", str(data), "--heavy-min-size", "10", *(extra or ["--k", "2"]),
                "--out", str(new / "sub" / "m.json")]
        assert needle in cli_error(capsys, argv)
        assert not new.exists()
    kept = tmp_path / "kept"
    kept.mkdir()
    model = kept / "m.json"
    main(["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", "--out", str(model)])
    before = model.read_bytes()
    cli_error(capsys, ["fit", str(user_csv), "--k", "9", "--heavy-min-size", "10",
                       "--out", str(model)])
    assert model.read_bytes() == before and sorted(p.name for p in kept.iterdir()) == ["m.json"]
    other = _write_csv(tmp_path / "d6.csv", d=6)
    cli_error(capsys, ["predict", str(model), str(other), "--out", str(new / "c.csv")])
    assert not new.exists()
    out = kept / "c.csv"
    out.write_text("task,component,probability\n")
    cli_error(capsys, ["predict", str(model), str(other), "--out", str(out)])
    assert out.read_text() == "task,component,probability\n"


def test_predict_reads_the_columns_the_model_was_fitted_with(user_csv, tmp_path, capsys):
    import json
    from robust_mlr.modelfile import load_model
    rows = list(csv.reader(open(user_csv, newline="")))
    renamed = tmp_path / "renamed.csv"
    with open(renamed, "w", newline="") as f:
        csv.writer(f).writerows([["id", *rows[0][1:-1], "target"], *rows[1:]])
    model = tmp_path / "m.json"
    main(["fit", str(renamed), "--k", "2", "--heavy-min-size", "10", "--task-col", "id",
          "--y-col", "target", "--out", str(model)])
    learner = load_model(model).learner
    assert (learner["task_col"], learner["y_col"]) == ("id", "target")
    out = tmp_path / "c.csv"
    assert main(["predict", str(model), str(renamed), "--out", str(out)]) == 0
    by_model = out.read_text()
    assert by_model.startswith("id,component,probability\nuser0,")
    main(["predict", str(model), str(renamed), "--task-col", "id", "--y-col", "target",
          "--out", str(out)])
    assert out.read_text() == by_model                  # the options the user would have typed
    # a CSV without the model's column: the error says where the name came from
    err = cli_error(capsys, ["predict", str(model), str(user_csv)])
    assert "no task-id column 'id'" in err and "--task-col id: the column the model" in err
    assert main(["predict", str(model), str(user_csv), "--task-col", "task",
                 "--y-col", "y"]) == 0                  # the user's options win
    # a model file without the keys (an older one) reads with the defaults
    m = json.loads(model.read_text())
    del m["learner"]["task_col"], m["learner"]["y_col"]
    model.write_text(json.dumps(m))
    assert main(["predict", str(model), str(user_csv)]) == 0
    err = cli_error(capsys, ["predict", str(model), str(renamed)])
    assert "no task-id column 'task'" in err and "the model" not in err
    m["learner"]["y_col"] = 5
    model.write_text(json.dumps(m))
    err = cli_error(capsys, ["predict", str(model), str(renamed), "--task-col", "id"])
    assert "learner field 'y_col' must be a column name, got 5; pass --y-col NAME" in err
    # a fit that read no CSV keeps no column names
    one = tmp_path / "one.npz"
    read_csv_tasks(user_csv).save(one)
    main(["fit", str(one), "--k", "2", "--heavy-min-size", "10", "--out", str(model)])
    assert not {"task_col", "y_col"} & set(load_model(model).learner)


def test_predict_reads_the_features_by_name_not_by_position(user_csv, tmp_path, capsys):
    """A CSV whose feature columns come in another order is read in the
    model's order (W's rows are named columns), not silently by position; a
    CSV with other feature names is refused, naming them."""
    import json
    rows = list(csv.reader(open(user_csv, newline="")))
    model = tmp_path / "m.json"
    main(["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", "--out", str(model)])
    assert json.loads(model.read_text())["learner"]["features"] == ["x0", "x1", "x2", "x3"]
    capsys.readouterr()
    order = [0, 4, 2, 3, 1, 5]                          # x3 and x0 swapped
    swapped = tmp_path / "swapped.csv"
    with open(swapped, "w", newline="") as f:
        csv.writer(f).writerows([r[i] for i in order] for r in rows)
    outs = []
    for data in (user_csv, swapped):
        out = tmp_path / f"c-{data.stem}.csv"
        assert main(["predict", str(model), str(data), "--holdout", "--out", str(out)]) == 0
        outs.append((out.read_text(), capsys.readouterr().out.splitlines()[1]))
    assert outs[0] == outs[1]                           # the same components and MSE
    renamed = tmp_path / "renamed.csv"
    with open(renamed, "w", newline="") as f:
        csv.writer(f).writerows([["task", "x0", "x1", "x2", "z3", "y"], *rows[1:]])
    err = cli_error(capsys, ["predict", str(model), str(renamed)])
    assert "feature columns differ from those the model" in err
    assert "no column 'x3'; 'z3' not among them" in err
    m = json.loads(model.read_text())
    m["learner"]["features"] = ["x0", "x0", "x1", "x2"]
    model.write_text(json.dumps(m))
    err = cli_error(capsys, ["predict", str(model), str(swapped)])
    assert "learner field 'features' must list the 4 distinct feature column names" in err
    del m["learner"]["features"]                        # an older model file: by position
    model.write_text(json.dumps(m))
    assert main(["predict", str(model), str(user_csv)]) == 0


def test_overwrite_replaces_only_what_the_writer_makes(tmp_path, capsys):
    """``--overwrite`` (``overwrite=True``) removes the old directory whole,
    so it replaces a pools (chunked) directory and refuses any other folder
    or a file, naming what it holds, rather than deleting the user's work."""
    from robust_mlr.chunked import write_chunked
    from robust_mlr.generator import make_params, make_tasks
    mine = tmp_path / "project"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    sizes = ["--d", "4", "--k", "2", "--light1", "30", "2", "--heavy", "4", "32",
             "--light2", "30", "4"]
    err = cli_error(capsys, ["generate", str(mine), *sizes, "--overwrite"])
    assert "is not a pools directory (it holds notes.txt)" in err and "--overwrite" in err
    assert (mine / "notes.txt").read_text() == "mine"
    (tmp_path / "file").write_text("mine")
    err = cli_error(capsys, ["generate", str(tmp_path / "file"), *sizes, "--overwrite"])
    assert "exists and is not a directory" in err and "Errno" not in err
    pools = tmp_path / "pools"
    for seed in ("0", "1"):                                 # a pools directory is replaced
        assert main(["generate", str(pools), *sizes, "--seed", seed, "--overwrite"]) == 0
    chunk = make_tasks(make_params(4, 2, rng=0), 10, 3, rng=0)
    with pytest.raises(ValidationError, match="not a chunked dataset directory"):
        write_chunked(mine, [chunk], overwrite=True)
    assert (mine / "notes.txt").read_text() == "mine"
    write_chunked(pools / "light1", [chunk], overwrite=True)  # a chunked one is replaced


def test_a_closed_pipe_keeps_the_model_and_says_nothing(user_csv, tmp_path):
    """``robust-mlr fit ... | head -1``: the reader closing stdout is not a
    user error, and the model file saved before the report stays (it was
    removed as the output of a failed command, with '[Errno 32] Broken
    pipe' and status 2)."""
    import os
    import subprocess
    import sys
    model = tmp_path / "m.json"
    for argv in (["fit", str(user_csv), "--k", "2", "--heavy-min-size", "10", "--out",
                  str(model)],
                 ["predict", str(model), str(user_csv), "--out", str(tmp_path / "c.csv")],
                 ["experiment", "list"]):
        p = subprocess.Popen([sys.executable, "-m", "robust_mlr", *argv], env=dict(
            os.environ, OMP_NUM_THREADS="1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.close()                                # the reader is gone at once
        err = p.stderr.read().decode()
        assert p.wait(timeout=300) == 141 and err == "", (argv, err)
    from robust_mlr.modelfile import load_model
    assert load_model(model).k == 2 and (tmp_path / "c.csv").read_text().startswith("task,")


def test_an_empty_task_id_is_named_not_made_one_task(user_csv, tmp_path, capsys):
    """Rows whose task-id cell is empty were grouped into one task "" of
    unrelated examples, silently; the first such line is named."""
    bad = _edit(user_csv, tmp_path / "gap.csv", 7, 0, "")
    err = cli_error(capsys, ["fit", str(bad), "--k", "2", "--heavy-min-size", "10", "--out",
                             str(tmp_path / "m.json")])
    assert "gap.csv, line 7, column 'task': empty task id" in err


def test_holdout_names_the_small_task_of_a_directory_by_its_index(tmp_path, capsys):
    """A chunked directory's task of one example under --holdout was named by
    its index within the chunk read ('split_query needs t_i >= 2 but task 0'),
    not the option nor the task (here the 6th)."""
    from robust_mlr.chunked import write_chunked
    from robust_mlr.generator import make_params, make_tasks
    theta = make_params(4, 2, rng=0)
    write_chunked(tmp_path / "d", [make_tasks(theta, 5, 3, rng=0),
                                   make_tasks(theta, 5, 1, rng=1)])
    model = tmp_path / "m.json"
    main(["generate", str(tmp_path / "p"), "--d", "4", "--k", "2", "--light1", "300", "2",
          "--heavy", "20", "32", "--light2", "300", "4"])
    main(["fit", str(tmp_path / "p"), "--k", "2", "--out", str(model)])
    capsys.readouterr()
    err = cli_error(capsys, ["predict", str(model), str(tmp_path / "d"), "--holdout"])
    assert "--holdout predicts each task's last example from the others: task 5 of" in err


def test_the_fit_of_a_csv_lists_the_columns_it_took_as_features(user_csv, tmp_path, capsys):
    """Every column but the task id and the response is a feature: a column
    meant otherwise (a pool label, a row number) was fitted without a word."""
    rows = list(csv.reader(open(user_csv, newline="")))
    extra = tmp_path / "extra.csv"
    with open(extra, "w", newline="") as f:
        csv.writer(f).writerows([[*rows[0], "pool"], *[[*r, "1"] for r in rows[1:]]])
    main(["fit", str(extra), "--k", "2", "--heavy-min-size", "10", "--covariates",
          "isotropic", "--out", str(tmp_path / "m.json")])
    out = capsys.readouterr().out
    assert "  features: x0, x1, x2, x3, pool (every column but 'task' and 'y')\n" in out


_BYTES_READ = """
import sys
from robust_mlr.cli import main

def rchar():
    with open("/proc/self/io") as f:
        return int(next(line for line in f if line.startswith("rchar:")).split()[1])

for argv in sys.argv[1:]:
    main(argv.split())                    # every import done before counting
    before = rchar()
    code = main(argv.split())
    print("read", code, rchar() - before)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/io"), reason="Linux /proc/PID/io")
def test_fit_and_predict_read_a_plain_csv_once(tmp_path):
    """The header, the rows' widths, the numbers and the task ids were four
    readings of the file, two of them numpy.loadtxt parsing every line (~7 s
    per 10^6 rows at d = 16); with pyarrow (the parquet extra) a plain file
    is read and parsed once (~1.5 s)."""
    pytest.importorskip("pyarrow.csv")
    data = _write_csv(tmp_path / "big.csv", n_light=6000, n_heavy=100)
    size = data.stat().st_size
    model = tmp_path / "m.json"
    fit = f"fit {data} --k 2 --heavy-min-size 10 --out {model}"
    predict = f"predict {model} {data} --out {tmp_path / 'p.csv'}"
    r = subprocess.run([sys.executable, "-c", _BYTES_READ, fit, predict],
                       env=dict(os.environ, OMP_NUM_THREADS="1"), capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    reads = [line.split() for line in r.stdout.splitlines() if line.startswith("read ")]
    assert [code for _, code, _ in reads] == ["0", "0"], r.stdout
    assert all(int(n) < 1.3 * size for _, _, n in reads), (size, reads)
