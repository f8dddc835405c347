"""Statistics of many files computed on a Dask cluster (a LocalCluster here): the same numbers as a local read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gdcore.errors import GdvizInputError
from gdcore.options import DataOptions, build_dataset
from gdcore.problem import Problem
from gdcore.reader import read_table

pytest.importorskip("distributed", reason="the dask extra is installed by make test")


def _parts(folder: Path, sizes: tuple[int, ...] = (400, 250, 900)) -> Path:
    rng = np.random.default_rng(5)
    folder.mkdir()
    for index, rows in enumerate(sizes):
        x1, x2 = rng.uniform(1e6, 1e6 + 10, rows), rng.normal(size=rows)  # far from the origin: centred sums
        y = 3.0 + 2.0 * (x1 - 1e6) - x2 + 0.1 * rng.normal(size=rows)
        lines = "\n".join(f"{a:.17g},{b:.17g},{c:.17g}" for a, b, c in zip(x1, x2, y, strict=True))
        (folder / f"part-{index}.csv").write_text("x1,x2,y\n" + lines + "\n")
    return folder


def test_a_cluster_read_gives_the_local_reads_statistics(tmp_path: Path) -> None:
    folder = _parts(tmp_path / "parts")
    local = read_table(folder, "x1,x2", "y")
    on_cluster = build_dataset(DataOptions(data=str(folder), x="x1,x2", y="y", scheduler="local"))
    assert on_cluster.n_samples == local.moments.n == 1550
    np.testing.assert_allclose(on_cluster.statistics.mean, local.moments.mean, rtol=1e-14)
    np.testing.assert_allclose(on_cluster.statistics.scatter, local.moments.scatter, rtol=1e-10)
    remote, near = Problem.from_dataset(on_cluster), Problem.from_dataset(build_dataset(
        DataOptions(data=str(folder), x="x1,x2", y="y")))
    np.testing.assert_allclose(remote.closed_form, near.closed_form, rtol=1e-8)
    assert len(on_cluster.target) <= 10_000 and "Dask cluster" in on_cluster.source


def test_files_with_other_columns_and_a_scheduler_without_data_are_refused(tmp_path: Path) -> None:
    folder = _parts(tmp_path / "parts", (50, 60))
    (folder / "part-9.csv").write_text("x1,z,y\n1,2,3\n4,5,6\n")
    with pytest.raises(GdvizInputError, match=r"part-9\.csv"):
        build_dataset(DataOptions(data=str(folder), x="x1,x2", y="y", scheduler="local"))
    with pytest.raises(GdvizInputError, match="`scheduler` local reads the files of `data`"):
        build_dataset(DataOptions(scheduler="local"))
