"""The options declared once: their names, flags, validation and the runs they build."""

from __future__ import annotations

import pytest

from gdcore.errors import GdvizInputError
from gdcore.options import (
    DATA_OPTION_NAMES,
    RUN_OPTION_NAMES,
    DataOptions,
    RunOptions,
    as_flags,
    build_dataset,
    build_experiment,
    flag,
    split_options,
)


def test_every_option_is_a_flag_and_a_keyword_of_the_same_name() -> None:
    assert DATA_OPTION_NAMES == ("dataset", "data", "x", "y", "standardize", "seed", "n", "features", "noise",
                                 "scheduler")
    assert RUN_OPTION_NAMES[:3] == ("lr", "regime", "epochs") and "batch_size" in RUN_OPTION_NAMES
    assert flag("batch_size") == "--batch-size"
    assert as_flags("give either `lr` or `regime` (`batch_size` 0)") == "give either --lr or --regime (--batch-size 0)"


def test_split_options_sorts_keywords_and_names_an_unknown_one() -> None:
    data, run = split_options({"dataset": "line", "standardize": True, "lr": 0.1, "batch_size": 4})
    assert data == DataOptions(dataset="line", standardize=True)
    assert run == RunOptions(lr=0.1, batch_size=4)
    with pytest.raises(GdvizInputError, match=r"unknown option 'bacth_size'.*did you mean 'batch_size'"):
        split_options({"bacth_size": 4})


@pytest.mark.parametrize(("options", "fragment"), [
    (DataOptions(x="a"), "`x` and `y` select columns of a CSV file"),
    (DataOptions(data="f.csv", dataset="plane"), "either `dataset` or `data`"),
    (DataOptions(data="f.csv", n=5), "`n` shape synthetic data"),
    (DataOptions(data="f.csv"), "needs `x` COL"),
])
def test_bad_data_options_name_the_parameters(options: DataOptions, fragment: str) -> None:
    with pytest.raises(GdvizInputError, match=fragment):
        build_dataset(options)


def test_a_run_is_the_same_whether_options_are_defaulted_or_spelled_out() -> None:
    plane = build_dataset(DataOptions())
    default = build_experiment(plane, RunOptions())
    spelled = build_experiment(plane, RunOptions(lr=0.1, epochs=300, optimizer="gd", init="zeros", cost="mse"))
    assert (default.trajectory.weights == spelled.trajectory.weights).all()
    assert build_dataset(DataOptions(dataset="synthetic", n=12, features=3, seed=2)).features.shape == (12, 3)
    assert build_dataset(DataOptions(standardize=True)).standardized
