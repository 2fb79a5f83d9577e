"""The evaluation command: its output shape, and the targets on the real dev file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from moderation.crisis.evaluate import EvaluationInputError, Row, check_ids, evaluate_file, main, select_subset

HERE = Path(__file__).resolve().parent
REPO_ROOT = Path(__file__).resolve().parents[2]
MINI = HERE / "fixtures" / "crisis-mini.jsonl"
DEV = REPO_ROOT / ".." / "shared" / "data" / "crisis-dev.jsonl"

ALERT_THRESHOLD = "high"  # the documented alert threshold (docs/moderation.md)
F1_TARGET = 0.82  # met: 0.822 (context mode, 145 tp / 23 fp) on 2026-11-27, third round
# The 30 % of C-SSRS users held out from tuning (--subset check): measured 0.745 (38 tp / 9 fp).
# A change that lowers it is fitting the tuning users, not kinds of language.
CHECK_SUBSET_F1_FLOOR = 0.74
SUPPORTIVE_INDICATOR_FALSE_ALARM_MAX = 0.30
HYPERBOLE_FALSE_ALARM_MAX = 0.005


def _run_json(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, Any]:
    assert main([str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_output_structure(capsys: pytest.CaptureFixture[str]) -> None:
    report = _run_json(capsys, MINI)
    assert report["rows"] == 30
    assert report["posts"] == 32  # two rows hold two posts each
    assert set(report["thresholds"]) == {"concern", "high", "imminent"}
    for block in report["thresholds"].values():
        for figures in [block["overall"], *block["by_source"].values()]:
            assert set(figures) >= {"precision", "recall", "f1", "tp", "fp", "fn"}
            assert 0 <= figures["f1"] <= 1
        assert set(block["by_source"]) == {"mini-chat", "mini-figurative"}
        assert block["by_source_label"]["hyperbole"]["label"] == "none"
        assert "false_alarm_rate" in block["by_source_label"]["Supportive"]
        assert "detection_rate" in block["by_source_label"]["Ideation"]
    confusion = report["confusion"]
    assert sum(confusion["crisis"].values()) == 10 and sum(confusion["none"].values()) == 20
    assert {"id", "slowest_post_us", "posts"} <= set(report["slowest"][0])
    assert all(entry["id"].startswith("mini-") for entry in report["slowest"])
    assert report["throughput"]["posts_per_second"] > 0
    assert report["mode"] == "context:5"
    assert set(report["split_halves"]) == {"0", "1"}
    halves = report["split_halves"]
    assert sum(halves[h]["mini-chat"]["rows"] + halves[h].get("mini-figurative", {"rows": 0})["rows"]
               for h in halves) == 30


def test_no_context_mode_is_named_and_scores_posts_alone(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(MINI), "--json", "--no-context"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["mode"] == "per-post"
    assert main([str(MINI), "--no-context"]) == 0
    assert "mode per-post" in capsys.readouterr().out


def test_mini_fixture_is_separated_at_the_alert_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    report = _run_json(capsys, MINI)
    figures = report["thresholds"][ALERT_THRESHOLD]["overall"]
    assert figures["fp"] == 0
    assert figures["recall"] >= 0.8


def test_text_output_names_rows_by_id_never_by_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(MINI)]) == 0
    output = capsys.readouterr().out
    assert "precision" in output and "throughput" in output and "mini-" in output
    assert "pills lined up" not in output


def test_module_entry_point_runs() -> None:
    completed = subprocess.run([sys.executable, "-m", "moderation.crisis.evaluate", str(MINI), "--json"],
                               capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    assert json.loads(completed.stdout)["rows"] == 30


def test_bad_input_is_reported_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hello", "label": "none"}\n{"text": "x", "label": "maybe"}\n', encoding="utf-8")
    assert main([str(bad)]) == 2
    assert "bad.jsonl:2" in capsys.readouterr().err
    with pytest.raises(EvaluationInputError):
        evaluate_file(tmp_path / "missing.jsonl")


def test_tuning_split_is_fixed_disjoint_and_stratified() -> None:
    rows = [Row(f"cssrs-user-{n}", "text", "crisis" if n % 3 else "none", "cssrs-reddit",
                "Ideation" if n % 3 else "Supportive") for n in range(100)]
    rows += [Row(f"hypo-h-{n}", "text", "none", "hypo", "hyperbole") for n in range(10)]
    held = check_ids(rows)
    assert held == check_ids(list(reversed(rows)))  # order of the file does not matter
    assert all(row_id.startswith("cssrs-") for row_id in held)
    for label in ("Ideation", "Supportive"):
        ids = [row.id for row in rows if row.source_label == label]
        assert abs(sum(row_id in held for row_id in ids) - 0.3 * len(ids)) <= 1
    tune, check = select_subset(rows, "tune"), select_subset(rows, "check")
    assert {row.id for row in tune if row.source == "cssrs-reddit"}.isdisjoint({row.id for row in check})
    assert len(tune) + len(check) == len(rows) + 10  # the other sources are in both
    assert select_subset(rows, "all") == rows
    with pytest.raises(ValueError):
        select_subset(rows, "half")


# -- the targets on the real dev file -------------------------------------------------


def _require_dev() -> None:
    if not DEV.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{DEV} is missing in CI; the crisis targets cannot be checked")
        pytest.skip(f"{DEV} not present on this machine")


@pytest.fixture(scope="module")
def dev_report() -> dict[str, Any]:
    _require_dev()
    return evaluate_file(DEV, ALERT_THRESHOLD)


def _cssrs_false_alarm_rate(report: dict[str, Any]) -> float:
    labels = report["thresholds"][ALERT_THRESHOLD]["by_source_label"]
    flagged = labels["Supportive"]["flagged"] + labels["Indicator"]["flagged"]
    return flagged / (labels["Supportive"]["rows"] + labels["Indicator"]["rows"])


def test_dev_false_alarms_on_supportive_and_indicator(dev_report: dict[str, Any]) -> None:
    assert _cssrs_false_alarm_rate(dev_report) <= SUPPORTIVE_INDICATOR_FALSE_ALARM_MAX


def test_dev_false_alarms_on_hyperbole(dev_report: dict[str, Any]) -> None:
    hyperbole = dev_report["thresholds"][ALERT_THRESHOLD]["by_source_label"]["hyperbole"]
    assert hyperbole["false_alarm_rate"] <= HYPERBOLE_FALSE_ALARM_MAX


def test_dev_cssrs_f1_target(dev_report: dict[str, Any]) -> None:
    assert dev_report["thresholds"][ALERT_THRESHOLD]["by_source"]["cssrs-reddit"]["f1"] >= F1_TARGET


def test_dev_check_subset_f1_does_not_regress() -> None:
    _require_dev()
    report = evaluate_file(DEV, ALERT_THRESHOLD, subset="check")
    assert report["thresholds"][ALERT_THRESHOLD]["by_source"]["cssrs-reddit"]["f1"] >= CHECK_SUBSET_F1_FLOOR
