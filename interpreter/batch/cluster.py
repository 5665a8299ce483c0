"""Partitions evaluated on a Dask cluster: a local one of N worker processes, or an existing one.

Each task is a partition's Task (a few paths and options); the worker reads the partition's spill files
itself, loads the contract once per process, writes its part files and sends back only counts. The
folder given to `--out` must therefore be reachable by the workers under the same path (always so for a
local cluster; a shared file system for a remote one).
"""
from __future__ import annotations

from typing import Callable, Iterable

from interpreter.batch.customers import Done, Task, evaluate_partition


class DaskMissing(Exception):
    pass


def _client(workers: int | None, scheduler: str | None):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise DaskMissing("--workers and --scheduler need Dask: pip install 'yakkan[dask]'") from None
    if scheduler is not None:
        return Client(scheduler, timeout="30s"), None
    # Processes, one thread each: evaluation is pure Python, so threads would share one interpreter lock. The
    # dashboard takes any free port, so that two runs on one machine never clash.
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=40)
    return Client(cluster), cluster


def evaluate_on_dask(tasks: Iterable[Task], workers: int | None, scheduler: str | None,
                     advance: Callable[[Done], None]) -> list[Done]:
    from dask.distributed import as_completed

    client, cluster = _client(workers, scheduler)
    try:
        futures = client.map(evaluate_partition, list(tasks), pure=False)
        done = []
        for future in as_completed(futures):
            result = future.result()
            advance(result)
            done.append(result)
        return sorted(done, key=lambda d: d.index)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
