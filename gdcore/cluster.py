"""A Dask distributed cluster: connecting to one, and computing the sufficient statistics of many data files on it.

Each worker streams its own files into moments (gdcore.reader, as a local read would) and a seeded sample of rows;
only those small summaries travel back, and they merge exactly (Moments.merge). Dask is an optional extra,
imported only here and only when a scheduler is asked for.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from gdcore.errors import GdvizInputError
from gdcore.reader import Table, read_table, resolve_files
from gdcore.statistics import SHOWN_ROWS

SCHEDULER_TIMEOUT_S = 10
PART_ROW_BUDGET = 0  # a worker sends back its sample, never its rows


def connect(scheduler: str, workers: int = 1) -> tuple[Any, Any]:
    """A Dask client: of a new LocalCluster of `workers` single-threaded worker processes ('local'), or of the
    cluster at `scheduler` (tcp://HOST:PORT), reached within SCHEDULER_TIMEOUT_S or a one-line error.
    Returns (client, the LocalCluster or None)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise GdvizInputError("`scheduler` needs Dask distributed: pip install 'gdviz[dask]' (make demo and make "
                              "test install it)") from None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    if "://" not in scheduler:
        raise GdvizInputError(f"`scheduler` {scheduler!r}: give tcp://HOST:PORT or local")
    try:
        return Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s"), None
    except (OSError, TimeoutError) as error:
        raise GdvizInputError(f"`scheduler` {scheduler}: no Dask scheduler answered within "
                              f"{SCHEDULER_TIMEOUT_S} s ({' '.join(str(error).split())[:200]})") from None


@contextlib.contextmanager
def connected(scheduler: str, workers: int = 1) -> Iterator[Any]:
    """A client for the block; a LocalCluster started for it is closed after."""
    client, cluster = connect(scheduler, workers)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def read_table_on_cluster(path: str | os.PathLike[str], x_columns: str, y_column: str, scheduler: str, *,
                          seed: int = 0) -> Table:
    """read_table's result for the files at `path`, each file read by a worker of the cluster at `scheduler`.

    The moments of all rows are exact; the rows returned are a seeded sample of at most SHOWN_ROWS, each file
    contributing in proportion to its rows (so mini-batch sgd, which needs every row, is refused on such data).
    Every worker must see the files at the same path (a shared folder).
    """
    files = [str(file.resolve()) for file in resolve_files(path)]
    with connected(scheduler, workers=min(len(files), os.cpu_count() or 1)) as client:
        futures = client.map(read_table, files, x_columns=x_columns, y_column=y_column, seed=seed,
                             row_budget=PART_ROW_BUDGET, pure=False)
        parts: list[Table] = client.gather(futures)
    names = parts[0].names
    for file, part in zip(files, parts, strict=True):
        if part.names != names:
            raise GdvizInputError(f"'{file}' has columns {', '.join(part.names)}, not {', '.join(names)} as "
                                  f"'{files[0]}'")
    moments = parts[0].moments
    for part in parts[1:]:
        moments = moments.merge(part.moments)
    features, target = _pooled_sample(parts, moments.n, seed)
    description = f"{len(files)} files {path}, read on the Dask cluster {scheduler}"
    return Table(moments, features, target, False, names, tuple(part.files[0] for part in parts), description)


def _pooled_sample(parts: list[Table], total: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded sample of at most SHOWN_ROWS rows over all parts: from each part, rows in proportion to its count."""
    rng = np.random.default_rng(seed)
    features, target = [], []
    for part in parts:
        share = min(len(part.target), max(1, round(SHOWN_ROWS * part.moments.n / total)))
        chosen = np.sort(rng.choice(len(part.target), share, replace=False))
        features.append(part.features[chosen])
        target.append(part.target[chosen])
    pooled = np.concatenate(features), np.concatenate(target)
    for array in pooled:
        array.setflags(write=False)
    return pooled
