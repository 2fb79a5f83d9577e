"""Measure the detector on labelled JSONL: `hearth moderation eval FILE.jsonl`.

Each line is {"id", "text", "label": "crisis"|"none", "source", "source_label"}
(only text and label are required). A text holding several posts joined by a
blank line is scored post by post and takes its highest severity, because a
chat message is one post, not a user's whole history. By default each post is
assessed with the same author's previous posts as `context` (the last
CONTEXT_POSTS, as the server passes the author's recent messages), so
escalation over several messages counts; `--no-context` scores every post
alone. The report names the mode it used. Texts are never printed: rows are
named by id (or line number) so the output can be shared.

    python -m moderation.crisis.evaluate FILE.jsonl [--json] [--threshold high] [--no-context] [--subset tune|check]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import Detector, default_detector
from .model import SEVERITIES, severity_rank

LABELS = ("crisis", "none")
ALERT_LEVELS = SEVERITIES[1:]
DEFAULT_THRESHOLD = "high"
POST_SEPARATOR = "\n\n"
CONTEXT_POSTS = 5  # as many previous posts as the detector reads (scoring "context_messages")
# The tuning split: rules are developed on a random 70 % of the C-SSRS users and
# checked on the other 30 % (`--subset tune|check`), drawn per source_label with
# a fixed seed so the split never moves. Rows of other sources are in both.
SPLIT_SOURCE = "cssrs-reddit"
SPLIT_SEED = 20261127
SPLIT_TUNE_SHARE = 0.7
SUBSETS = ("all", "tune", "check")


class EvaluationInputError(ValueError):
    """The input file cannot be evaluated; the message names the line."""


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    text: str
    label: str
    source: str
    source_label: str


@dataclass(frozen=True, slots=True)
class Scored:
    row: Row
    severity: str
    posts: int
    seconds: float       # total time spent in assess() for the row
    slowest_post: float  # seconds, the slowest single post of the row


def read_rows(path: Path) -> list[Row]:
    rows: list[Row] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise EvaluationInputError(f"{path}: cannot read ({error.strerror or error})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvaluationInputError(f"{path}:{number}: not JSON ({error.msg})") from None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise EvaluationInputError(f"{path}:{number}: needs a string 'text'")
        if data.get("label") not in LABELS:
            raise EvaluationInputError(f"{path}:{number}: 'label' must be one of {LABELS}, got {data.get('label')!r}")
        rows.append(Row(
            id=str(data.get("id", f"line-{number}")),
            text=data["text"],
            label=data["label"],
            source=str(data.get("source", "all")),
            source_label=str(data.get("source_label", data["label"])),
        ))
    if not rows:
        raise EvaluationInputError(f"{path}: no rows")
    return rows


def check_ids(rows: Sequence[Row], seed: int = SPLIT_SEED, share: float = SPLIT_TUNE_SHARE) -> frozenset[str]:
    """Ids of the C-SSRS rows held out from tuning: (1 - share) of each source_label, drawn with `seed`."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.source == SPLIT_SOURCE:
            by_label[row.source_label].append(row.id)
    held: set[str] = set()
    rng = random.Random(seed)
    for label in sorted(by_label):
        ids = sorted(by_label[label])
        rng.shuffle(ids)
        held.update(ids[round(len(ids) * share):])
    return frozenset(held)


def select_subset(rows: Sequence[Row], subset: str) -> list[Row]:
    """"all" rows; "tune": without the held-out C-SSRS users; "check": without the tuning ones."""
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
    if subset == "all":
        return list(rows)
    held = check_ids(rows)
    keep_held = subset == "check"
    return [row for row in rows if row.source != SPLIT_SOURCE or (row.id in held) == keep_held]


def score_rows(rows: Iterable[Row], detector: Detector, context_posts: int = CONTEXT_POSTS) -> list[Scored]:
    """Score each row post by post; with context_posts > 0 a post gets the row's previous posts as context."""
    clock = time.perf_counter
    scored: list[Scored] = []
    for row in rows:
        posts = [post for post in row.text.split(POST_SEPARATOR) if post.strip()] or [row.text]
        highest = 0
        total = 0.0
        slowest = 0.0
        for index, post in enumerate(posts):
            context = posts[max(0, index - context_posts):index] if context_posts > 0 else ()
            started = clock()
            assessment = detector.assess(post, context)
            elapsed = clock() - started
            total += elapsed
            slowest = max(slowest, elapsed)
            highest = max(highest, severity_rank(assessment.severity))
        scored.append(Scored(row, SEVERITIES[highest], len(posts), total, slowest))
    return scored


def _prf(scored: Sequence[Scored], threshold: str) -> dict[str, Any]:
    level = severity_rank(threshold)
    tp = sum(1 for s in scored if s.row.label == "crisis" and severity_rank(s.severity) >= level)
    fp = sum(1 for s in scored if s.row.label == "none" and severity_rank(s.severity) >= level)
    fn = sum(1 for s in scored if s.row.label == "crisis" and severity_rank(s.severity) < level)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn, "rows": len(scored)}


def _flag_rates(scored: Sequence[Scored], threshold: str) -> dict[str, dict[str, Any]]:
    level = severity_rank(threshold)
    groups: dict[str, list[Scored]] = defaultdict(list)
    for item in scored:
        groups[item.row.source_label].append(item)
    rates: dict[str, dict[str, Any]] = {}
    for name, items in sorted(groups.items()):
        flagged = sum(1 for s in items if severity_rank(s.severity) >= level)
        label = Counter(s.row.label for s in items).most_common(1)[0][0]
        rates[name] = {
            "label": label,
            "rows": len(items),
            "flagged": flagged,
            # For rows labelled "none" a flag is a false alarm; for "crisis" it is a detection.
            "false_alarm_rate" if label == "none" else "detection_rate": round(flagged / len(items), 4),
        }
    return rates


def split_half(row_id: str) -> int:
    """0 or 1 from the SHA-256 of the row id: a fixed split to check that a change helps both halves."""
    return hashlib.sha256(row_id.encode("utf-8")).digest()[0] & 1


def _mode(context_posts: int) -> str:
    return f"context:{context_posts}" if context_posts > 0 else "per-post"


def build_report(scored: Sequence[Scored], threshold: str = DEFAULT_THRESHOLD, slowest: int = 10,
                 context_posts: int = CONTEXT_POSTS) -> dict[str, Any]:
    sources = sorted({s.row.source for s in scored})
    per_threshold: dict[str, Any] = {}
    for level in ALERT_LEVELS:
        per_threshold[level] = {
            "overall": _prf(scored, level),
            "by_source": {source: _prf([s for s in scored if s.row.source == source], level) for source in sources},
            "by_source_label": _flag_rates(scored, level),
        }
        none_rows = [s for s in scored if s.row.label == "none"]
        if none_rows:
            flagged = sum(1 for s in none_rows if severity_rank(s.severity) >= severity_rank(level))
            per_threshold[level]["false_alarm_rate"] = round(flagged / len(none_rows), 4)
    confusion = {label: {severity: 0 for severity in SEVERITIES} for label in LABELS}
    by_source_label: dict[str, dict[str, int]] = defaultdict(lambda: {severity: 0 for severity in SEVERITIES})
    for item in scored:
        confusion[item.row.label][item.severity] += 1
        by_source_label[item.row.source_label][item.severity] += 1
    posts = sum(s.posts for s in scored)
    seconds = sum(s.seconds for s in scored)
    slow = sorted(scored, key=lambda s: s.slowest_post, reverse=True)[:slowest]
    return {
        "rows": len(scored),
        "posts": posts,
        # "context:N": each post assessed with the author's previous N posts as context (as in chat);
        # "per-post": each post alone. Either way a row takes its highest severity.
        "mode": _mode(context_posts),
        "threshold": threshold,
        "at_threshold": per_threshold[threshold],
        "thresholds": per_threshold,
        "confusion": confusion,
        # The alert threshold's figures on two fixed halves of the rows (by id hash): a change
        # that helps one half only is fitting rows, not kinds of language.
        "split_halves": {
            str(half): {source: _prf([s for s in scored if s.row.source == source and split_half(s.row.id) == half],
                                     threshold) for source in sources}
            for half in (0, 1)
        },
        "confusion_by_source_label": dict(sorted(by_source_label.items())),
        "slowest": [
            {"id": s.row.id, "posts": s.posts, "slowest_post_us": round(s.slowest_post * 1e6, 1),
             "total_ms": round(s.seconds * 1e3, 3), "chars": len(s.row.text)}
            for s in slow
        ],
        "throughput": {
            "posts_per_second": round(posts / seconds, 1) if seconds else None,
            "seconds": round(seconds, 4),
            "mean_us_per_post": round(seconds / posts * 1e6, 2) if posts else None,
        },
    }


def evaluate_file(path: str | Path, threshold: str = DEFAULT_THRESHOLD, detector: Detector | None = None,
                  slowest: int = 10, context_posts: int = CONTEXT_POSTS, subset: str = "all") -> dict[str, Any]:
    rows = select_subset(read_rows(Path(path)), subset)
    report = build_report(score_rows(rows, detector or default_detector(), context_posts), threshold, slowest,
                          context_posts)
    report["file"] = str(path)
    report["subset"] = subset
    return report


def _percent(value: float) -> str:
    return f"{value * 100:5.1f} %"


_SUBSET_NAMES = {"tune": f"the {SPLIT_TUNE_SHARE:.0%} of C-SSRS users rules are tuned on",
                 "check": f"the {1 - SPLIT_TUNE_SHARE:.0%} of C-SSRS users held out from tuning"}


def format_report(report: dict[str, Any]) -> str:
    mode = report.get("mode", "per-post")
    how = ("each post with the author's previous " + mode.split(":")[1] + " posts as context"
           if mode.startswith("context:") else "each post alone")
    subset = report.get("subset", "all")
    part = "" if subset == "all" else f" (subset {subset}: {_SUBSET_NAMES[subset]})"
    lines = [f"{report['file']}{part}: {report['rows']} rows, {report['posts']} posts; mode {mode} ({how}); "
             f"alert threshold '{report['threshold']}' is marked with *", ""]
    lines.append(f"{'threshold':<11}{'scope':<26}{'precision':>10}{'recall':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}")
    for level, block in report["thresholds"].items():
        mark = "*" if level == report["threshold"] else " "
        for scope, figures in [("overall", block["overall"])] + sorted(block["by_source"].items()):
            lines.append(f"{mark}{level:<10}{scope:<26}{figures['precision']:>10.3f}{figures['recall']:>8.3f}"
                         f"{figures['f1']:>8.3f}{figures['tp']:>6}{figures['fp']:>6}{figures['fn']:>6}")
    for half, figures in report.get("split_halves", {}).items():
        lines.append(f"*{report['threshold']:<10}" + "  ".join(
            f"half {half} {source}: F1 {f['f1']:.3f} (P {f['precision']:.3f}, R {f['recall']:.3f}, {f['rows']} rows)"
            for source, f in figures.items()))
    lines += ["", "flag rate per source_label (false alarms for rows labelled none)",
              f"{'source_label':<24}{'label':<8}{'rows':>6}" + "".join(f"{level:>11}" for level in ALERT_LEVELS)]
    labels = report["thresholds"][ALERT_LEVELS[0]]["by_source_label"]
    for name, first in labels.items():
        rates = []
        for level in ALERT_LEVELS:
            entry = report["thresholds"][level]["by_source_label"][name]
            rates.append(_percent(entry["flagged"] / entry["rows"]))
        lines.append(f"{name:<24}{first['label']:<8}{first['rows']:>6}" + "".join(f"{r:>11}" for r in rates))
    lines += ["", "confusion (rows: source_label / label, columns: highest severity)",
              f"{'':<24}" + "".join(f"{s:>10}" for s in SEVERITIES)]
    for name, counts in list(report["confusion_by_source_label"].items()) + [
            (f"label={label}", counts) for label, counts in report["confusion"].items()]:
        lines.append(f"{name:<24}" + "".join(f"{counts[s]:>10}" for s in SEVERITIES))
    lines += ["", "slowest rows (by their slowest post)"]
    for item in report["slowest"]:
        lines.append(f"  {item['id']:<24}{item['slowest_post_us']:>10.1f} µs  ({item['posts']} posts, "
                     f"{item['chars']} chars, {item['total_ms']:.2f} ms in all)")
    speed = report["throughput"]
    lines += ["", f"throughput: {speed['posts_per_second']} posts/s "
              f"(mean {speed['mean_us_per_post']} µs per post, {speed['seconds']} s in assess)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hearth moderation eval",
                                     description="Measure the crisis detector on labelled JSONL.")
    parser.add_argument("file", type=Path, help="JSONL with text and label (crisis|none) per line")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--threshold", choices=ALERT_LEVELS, default=DEFAULT_THRESHOLD,
                        help="severity taken as the alert (default: %(default)s)")
    parser.add_argument("--slowest", type=int, default=10, help="how many slow rows to list")
    parser.add_argument("--context", type=int, default=CONTEXT_POSTS, metavar="N",
                        help="give each post the row's previous N posts as context (default: %(default)s)")
    parser.add_argument("--no-context", action="store_true", help="score every post alone (same as --context 0)")
    parser.add_argument("--subset", choices=SUBSETS, default="all",
                        help="all rows, or only the tuning (70 %%) or held-out (30 %%) C-SSRS users, "
                             "other sources kept (default: %(default)s)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    context_posts = 0 if args.no_context else max(0, args.context)
    try:
        report = evaluate_file(args.file, args.threshold, slowest=args.slowest, context_posts=context_posts,
                               subset=args.subset)
    except EvaluationInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report, ensure_ascii=False) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
