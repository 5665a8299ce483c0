"""`yakkan batch`: a customer given as rows gets the ledger `yakkan run` gives its scenario file; a rejected
customer is reported with its rows and changes nothing for the others; the output is the same byte for
byte whatever the number of workers and however often it is run."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402

from interpreter.api import Contract  # noqa: E402
from interpreter.batch import partition  # noqa: E402
from interpreter.batch.convert import customer_names, write_rows  # noqa: E402
from interpreter.batch.output import entry_json_of  # noqa: E402
from interpreter.batch.pipeline import Options, run_batch  # noqa: E402
from interpreter.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
SCENARIO_DIRS = sorted(p.name for p in (CONTRACTS / "scenarios").iterdir() if p.is_dir())
ITS = str(CONTRACTS / "itscom-hosting.ctr")


def batch(contract: str, events: Path, params: Path | None, out: Path, **options) -> dict:
    summary = run_batch(Options(contract, str(events), str(params) if params else None, str(out), **options))
    return summary.data


def entries_by_customer(path: Path) -> dict[str, list[dict]]:
    found = defaultdict(list)
    for row in pq.read_table(path).to_pylist():
        found[row["customer"]].append(entry_json_of(row))
    return found


def rejected(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("folder", SCENARIO_DIRS)
def test_every_bundled_scenario_as_rows_gives_the_ledger_of_run(folder, tmp_path):
    """Every scenario file of the folder becomes one customer; batch gives each the entries of `run`."""
    contract = str(CONTRACTS / f"{folder}.ctr")
    paths = sorted(str(p) for p in (CONTRACTS / "scenarios" / folder).glob("*.yaml"))
    problems, written = write_rows(paths, tmp_path / "in", "parquet")
    assert not problems and len(written) == len(paths)
    data = batch(contract, tmp_path / "in" / "events.parquet", tmp_path / "in" / "params.parquet",
                 tmp_path / "out", detail="entries")
    got = entries_by_customer(tmp_path / "out" / "entries.parquet")
    loaded = Contract.load(contract)
    expected_rejected = set()
    charge = Decimal(0)
    for customer, path in written.items():
        result = loaded.evaluate_file(path)
        if not result.ok:
            expected_rejected.add(customer)
            continue
        assert got[customer] == result.rows(), customer
        charge += result.ledger.totals()["charge"]
    assert {r["customer"] for r in rejected(tmp_path / "out")} == expected_rejected
    assert data["customers"]["evaluated"] == len(paths) - len(expected_rejected)
    assert Decimal(data["totals"]["charge"]) == charge


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_csv_and_json_lines_give_what_parquet_gives(fmt, tmp_path):
    paths = sorted(str(p) for p in (CONTRACTS / "scenarios" / "itscom-hosting").glob("*.yaml"))
    outputs = {}
    for kind in ("parquet", fmt):
        write_rows(paths, tmp_path / kind, kind)
        batch(ITS, tmp_path / kind / f"events.{kind}", tmp_path / kind / f"params.{kind}", tmp_path / f"out-{kind}",
              detail="entries")
        outputs[kind] = (tmp_path / f"out-{kind}" / "entries.parquet").read_bytes()
    assert outputs["parquet"] == outputs[fmt]


# The late-payment case of docs/contracts/itscom-hosting.md (Example 8): the June 2025 invoice (WWW 10,000
# + tax 1,000 = 11,000) is due 2025-07-31 and paid 2025-09-16: 2025-08-01 … 2025-09-16 is 31 + 16 = 47 days;
# interest = 11,000 × 14.6% × 47 ÷ 365 = 206.8 → 206 yen, untaxed; the September invoice is 10,000 + 206.
EVENTS_CSV = """\
customer,at,event,plan,amount
A,2025-05-12,service_start,www,
B,2025-05-12,service_start,www,
A,2025-05-12,payment,,22000
A,2025-09-16,payment,,11000
B,2025-06-01,payment,,abc
"""
PARAMS_CSV = """\
customer,as_of
A,2025-09-30
B,2025-09-30
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_hand_worked_invoice_and_a_rejected_customer_that_changes_nothing(tmp_path):
    events, params = write(tmp_path / "events.csv", EVENTS_CSV), write(tmp_path / "params.csv", PARAMS_CSV)
    data = batch(ITS, events, params, tmp_path / "out", detail="entries")
    invoices = {(r["customer"], r["period_start"]): r for r in pq.read_table(tmp_path / "out" / "invoices.parquet")
                .to_pylist()}
    september = invoices[("A", date(2025, 9, 1))]
    assert (september["amount"], september["tax"], september["period_end"]) == ("10206", "1000", date(2025, 9, 30))
    interest = [e for e in entries_by_customer(tmp_path / "out" / "entries.parquet")["A"]
                if e.get("rule") == "ITS-16" and e["kind"] == "charge"]
    assert [(e["amount"], e["period"]) for e in interest] == [("206", ["2025-08-01", "2025-09-16"])]
    # B's payment amount is not a number: B is rejected, with the rows of B (the header is row 1).
    (item,) = rejected(tmp_path / "out")
    assert (item["customer"], item["event_rows"], item["param_rows"]) == ("B", [3, 6], [3])
    (problem,) = item["diagnostics"]
    assert (problem["code"], problem["row"], problem["column"]) == ("E606", 6, "amount")
    assert {r["customer"] for r in invoices.values()} == {"A"}
    assert data["customers"] == {"read": 2, "evaluated": 1, "rejected": 1, "rows_without_customer": 0}
    # Without B at all, A's files are the same.
    write(tmp_path / "events.csv", "\n".join(l for l in EVENTS_CSV.splitlines() if not l.startswith("B,")) + "\n")
    write(tmp_path / "params.csv", "customer,as_of\nA,2025-09-30\n")
    batch(ITS, events, params, tmp_path / "alone", detail="entries")
    for name in ("invoices.parquet", "entries.parquet"):
        assert (tmp_path / "alone" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()


def test_rows_without_a_customer_and_a_customer_given_twice_are_rejected(tmp_path):
    events = write(tmp_path / "events.jsonl", "\n".join([
        '{"customer": "A", "at": "2025-05-12", "event": "service_start", "plan": "www"}',
        '{"at": "2025-05-13", "event": "payment", "amount": 100}',
        '{"customer": "C", "at": "2025-05-12", "event": "service_start", "fields": {"plan": "www"}}',
        "",
        '{"customer": "D", "at": "2025-05-12", "event": "service_start", "plan": "www", "fields": {"plan": "www"}}',
    ]) + "\n")
    params = write(tmp_path / "params.csv", "customer,as_of\nA,2025-09-30\nC,2025-06-30\nC,2025-07-31\n")
    data = batch(ITS, events, params, tmp_path / "out")
    items = {r["customer"]: r for r in rejected(tmp_path / "out")}
    # rows are lines of the JSON Lines file (the empty line 4 counts) and of the CSV file (header = row 1)
    assert items[None]["event_rows"] == [2] and items[None]["diagnostics"][0]["column"] == "customer"
    assert items["C"]["param_rows"] == [3, 4]
    assert items["C"]["diagnostics"][0]["row"] == 4 and items["C"]["diagnostics"][0]["file"] == str(params)
    (twice,) = items["D"]["diagnostics"]
    assert (twice["row"], twice["column"], twice["code"]) == (5, "fields", "E602")
    assert data["customers"] == {"read": 3, "evaluated": 1, "rejected": 2, "rows_without_customer": 1}


def test_typed_parquet_columns_read_as_their_text(tmp_path):
    """A date column, a decimal amount and a timestamp without a zone (Japan time, as in a scenario) give
    the ledger that the same values written as text give."""
    from datetime import datetime

    typed = pa.table({
        "customer": ["A", "A", "A"],
        "at": pa.array([datetime(2025, 5, 12), datetime(2025, 5, 12, 9), datetime(2025, 9, 16, 9)], pa.timestamp("s")),
        "event": ["service_start", "payment", "payment"],
        "plan": ["www", None, None],
        "amount": pa.array([None, Decimal("22000.00"), Decimal("11000.00")], pa.decimal128(10, 2)),
    })
    pq.write_table(typed, tmp_path / "typed.parquet")
    pq.write_table(pa.table({"customer": ["A"], "as_of": pa.array([date(2025, 9, 30)], pa.date32())}),
                   tmp_path / "params.parquet")
    text = "customer,at,event,plan,amount\nA,2025-05-12T00:00:00,service_start,www,\n" \
           "A,2025-05-12T09:00:00,payment,,22000.00\nA,2025-09-16T09:00:00,payment,,11000.00\n"
    write(tmp_path / "text.csv", text)
    write(tmp_path / "params.csv", "customer,as_of\nA,2025-09-30\n")
    batch(ITS, tmp_path / "typed.parquet", tmp_path / "params.parquet", tmp_path / "typed", detail="entries")
    batch(ITS, tmp_path / "text.csv", tmp_path / "params.csv", tmp_path / "text", detail="entries")
    typed_entries = (tmp_path / "typed" / "entries.parquet").read_bytes()
    assert typed_entries == (tmp_path / "text" / "entries.parquet").read_bytes()
    typed = entries_by_customer(tmp_path / "typed" / "entries.parquet")["A"]
    interest = [e for e in typed if e.get("rule") == "ITS-16" and e["kind"] == "charge"]
    assert [e["amount"] for e in interest] == ["206"]  # as in the hand-worked case above


def portfolio(tmp_path: Path, copies: int) -> tuple[Path, Path]:
    """Every hennge-cmc scenario `copies` times, as customers NAME#1, NAME#2 …"""
    paths = sorted(str(p) for p in (CONTRACTS / "scenarios" / "hennge-cmc").glob("*.yaml"))
    write_rows(paths, tmp_path / "one", "parquet")
    events = pq.read_table(tmp_path / "one" / "events.parquet")
    params = pq.read_table(tmp_path / "one" / "params.parquet")

    def copied(table):
        parts = []
        for k in range(copies):
            names = pa.array([f"{c}#{k}" for c in table.column("customer").to_pylist()])
            parts.append(table.set_column(0, "customer", names))
        return pa.concat_tables(parts)

    pq.write_table(copied(events), tmp_path / "events.parquet")
    pq.write_table(copied(params), tmp_path / "params.parquet")
    return tmp_path / "events.parquet", tmp_path / "params.parquet"


OUTPUTS = ("invoices.parquet", "entries.parquet", "rejected.jsonl")


def test_two_dask_workers_write_what_one_process_writes(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(partition, "ROWS_PER_PARTITION", 40)  # several partitions from a small portfolio
    events, params = portfolio(tmp_path, 3)
    hennge = str(CONTRACTS / "hennge-cmc.ctr")
    serial = batch(hennge, events, params, tmp_path / "serial", detail="entries")
    parallel = batch(hennge, events, params, tmp_path / "parallel", detail="entries", workers=2)
    assert serial["rows"]["events"] > 3 * 40  # so that there were at least 4 partitions
    for name in OUTPUTS:
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "parallel" / name).read_bytes(), name
    assert {k: v for k, v in serial.items() if k != "run"} == {k: v for k, v in parallel.items() if k != "run"}
    assert parallel["run"]["workers"] == 2


def test_joining_a_running_cluster_by_its_address(tmp_path, monkeypatch):
    """--scheduler ADDRESS: the partitions run on a cluster that was already there (here one worker of two
    threads in this process, which starts in a moment) and the files are those of a serial run."""
    distributed = pytest.importorskip("dask.distributed")
    monkeypatch.setattr(partition, "ROWS_PER_PARTITION", 40)
    events, params = portfolio(tmp_path, 2)
    hennge = str(CONTRACTS / "hennge-cmc.ctr")
    batch(hennge, events, params, tmp_path / "serial", detail="entries")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=":0") as cluster:
        joined = batch(hennge, events, params, tmp_path / "joined", detail="entries",
                       scheduler=cluster.scheduler_address)
    for name in OUTPUTS:
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "joined" / name).read_bytes(), name
    assert joined["run"]["scheduler"] == cluster.scheduler_address


def test_a_run_started_again_gives_the_same_files(tmp_path, monkeypatch):
    monkeypatch.setattr(partition, "ROWS_PER_PARTITION", 40)
    events, params = portfolio(tmp_path, 2)
    batch(ITS.replace("itscom-hosting", "hennge-cmc"), events, params, tmp_path / "first", detail="entries")
    out = tmp_path / "again"
    # what an interrupted run leaves: a half-written work folder and a partial output file
    (out / ".yakkan-batch-work").mkdir(parents=True)
    write(out / ".yakkan-batch-work" / "events-00000.parquet", "half")
    write(out / "invoices.parquet.partial", "half")
    batch(ITS.replace("itscom-hosting", "hennge-cmc"), events, params, out, detail="entries")
    for name in OUTPUTS:
        assert (tmp_path / "first" / name).read_bytes() == (out / name).read_bytes(), name
    assert not (out / ".yakkan-batch-work").exists()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "interpreter.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_cli_exit_status_summary_and_no_progress_bar_off_a_terminal(tmp_path):
    events, params = write(tmp_path / "events.csv", EVENTS_CSV), write(tmp_path / "params.csv", PARAMS_CSV)
    done = run_cli("batch", ITS, "--events", str(events), "--params", str(params), "--out", str(tmp_path / "out"),
                   "--format", "csv")
    assert done.returncode == 1, done.stderr  # B is rejected
    assert "customer B rejected" in done.stderr and "row 6, column amount" in done.stderr
    assert "evaluating" not in done.stderr and "\r" not in done.stderr  # no progress bar: not a terminal
    assert "1 customers evaluated, 1 rejected" in done.stdout
    invoices = (tmp_path / "out" / "invoices.csv").read_text(encoding="utf-8").splitlines()
    assert invoices[0] == '"customer","id","period_start","period_end","amount","tax","due","status"'
    assert '"A","E' in invoices[1]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["files"] == ["invoices.csv", "rejected.jsonl", "summary.json"]
    assert not (tmp_path / "out" / "entries.csv").exists()  # --detail totals is the default


@pytest.mark.parametrize("args,message", [
    (["--events", "missing.csv"], "no such file"),
    (["--events", "events.txt"], "cannot tell the format"),
    (["--events", "nocustomer.csv"], "no column customer"),
    (["--events", "ragged.csv"], "Expected 3 columns, got 2: B,2025"),
    (["--events", "ragged.jsonl"], "ragged.jsonl:2: the line must be a JSON object"),
    (["--events", "events.csv", "--workers", "0"], "at least 1 worker"),
    (["--events", "events.csv", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not allowed with"),
    (["--events", "events.csv", "--as-of", "2025-02-30"], "--as-of"),
    (["--events", "events.csv", "--out", "events.txt"], "cannot write to"),
])
def test_bad_invocations_exit_2(tmp_path, capsys, args, message):
    write(tmp_path / "events.csv", EVENTS_CSV)
    write(tmp_path / "events.txt", EVENTS_CSV)
    write(tmp_path / "nocustomer.csv", "at,event\n2025-05-12,service_start\n")
    write(tmp_path / "ragged.csv", "customer,at,event\nA,2025-05-12,service_start\nB,2025\n")
    write(tmp_path / "ragged.jsonl", '{"customer": "A", "at": "2025-05-12", "event": "service_start"}\n[1]\n')
    args = [str(tmp_path / a) if a.endswith((".csv", ".txt", ".jsonl")) else a for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    try:
        code = main(["batch", ITS, *args])
    except SystemExit as stop:  # argparse and --as-of stop at once
        code = stop.code
    assert code == 2
    assert message in capsys.readouterr().err


def test_scenario_files_become_one_customer_each():
    paths = ["a/x.yaml", "b/x.yaml", "b/y.yaml"]
    assert customer_names(paths) == {"a/x.yaml": "a/x", "b/x.yaml": "b/x", "b/y.yaml": "y"}


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False))
def test_interleaving_customers_rows_changes_nothing(tmp_path_factory, rnd):
    """Rows of different customers may be interleaved in any way (each customer's own rows keeping their
    order): the files written are the same byte for byte."""
    tmp = tmp_path_factory.mktemp("interleave")
    lines = EVENTS_CSV.splitlines()
    header, rows = lines[0], lines[1:]
    queues = {c: [r for r in rows if r.startswith(c + ",")] for c in ("A", "B")}
    mixed = []
    while any(queues.values()):
        customer = rnd.choice([c for c, q in queues.items() if q])
        mixed.append(queues[customer].pop(0))
    params = write(tmp / "params.csv", PARAMS_CSV)
    write(tmp / "sorted.csv", "\n".join([header] + sorted(rows, key=lambda r: r[0])) + "\n")
    write(tmp / "mixed.csv", "\n".join([header] + mixed) + "\n")
    batch(ITS, tmp / "sorted.csv", params, tmp / "sorted", detail="entries")
    batch(ITS, tmp / "mixed.csv", params, tmp / "mixed", detail="entries")
    for name in ("invoices.parquet", "entries.parquet"):
        assert (tmp / "sorted" / name).read_bytes() == (tmp / "mixed" / name).read_bytes()
    (item,) = rejected(tmp / "mixed")
    assert item["customer"] == "B" and [d["column"] for d in item["diagnostics"]] == ["amount"]


def test_a_contract_with_errors_is_reported_and_nothing_is_written(tmp_path, capsys):
    broken = write(tmp_path / "broken.ctr", 'contract x "例" { currency JPY; }\nplan www "WWW"\n')
    events = write(tmp_path / "events.csv", EVENTS_CSV)
    assert main(["batch", str(broken), "--events", str(events), "--out", str(tmp_path / "out")]) == 1
    assert "error[E103]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_partitions_evaluated_at_once_put_back_the_collector_thresholds_they_found():
    """The batch collects the young less often while partitions run (interpreter/run/collector.py); threads of one
    worker running partitions at once must leave the process's thresholds as they found them, whichever finishes
    last."""
    import gc
    import threading

    from interpreter.run import collector

    before = gc.get_threshold()
    inside, release = threading.Barrier(3), threading.Event()
    seen = []

    def partition():
        with collector.young_collected_less_often():
            inside.wait()
            seen.append(gc.get_threshold())
            release.wait()

    threads = [threading.Thread(target=partition) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    release.set()
    for t in threads:
        t.join()
    assert seen == [collector.YOUNG_COLLECTION] * 2
    assert gc.get_threshold() == before != collector.YOUNG_COLLECTION
