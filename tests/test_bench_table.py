"""bench.table reads bench.slack_vs_bolt's printed report back into its rows: the report as that module prints it
must still read (a change to its format shows here, not as an empty row in ``make bench``)."""

from __future__ import annotations

import importlib

import pytest

from bench.table_extra import read_slack_vs_bolt

# Imported by name: the benchmarks are outside mypy's scope (pyproject), and a plain import would pull them in.
report = importlib.import_module("bench.slack_vs_bolt").report


def test_the_slack_vs_bolt_report_reads_back(capsys: pytest.CaptureFixture[str]) -> None:
    def side(rps: float, p50: float, p99: float, cpu: float) -> dict[str, object]:
        return {"rps": rps, "p50": p50, "p99": p99, "cpu": cpu, "count": 100, "statuses": {200: 100}}

    briefbot_side, bolt_side = side(1234.0, 7.5, 15.6, 2150.0), side(1500, 6.2, 18, 1210.0)
    report({"Briefbot /status tariffs": [briefbot_side], "bare bolt, fixed text": [bolt_side]}, 4)

    figures = read_slack_vs_bolt(capsys.readouterr().out)

    briefbot, bolt = figures[4]
    assert (briefbot["name"], briefbot["rps"], briefbot["p50"], briefbot["p99"], briefbot["cpu"]) == (
        "Briefbot /status tariffs",
        1234.0,
        7.5,
        15.6,
        2150.0,
    )
    assert (bolt["name"], bolt["rps"], bolt["p50"], bolt["cpu"]) == ("bare bolt, fixed text", 1500.0, 6.2, 1210.0)
