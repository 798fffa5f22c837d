"""Inter-annotator agreement on approve / reject decisions.

Cohen's kappa for each pair of annotators (over the examples both decided) and
Krippendorff's alpha (nominal) over everyone; and, where annotators corrected the same
example, how often their corrections were exactly the same.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

from .store import Store

LABELS = ("approve", "reject")


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Kappa of two raters over the same items; None without items."""
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[label] * count_b[label] for label in set(a) | set(b)) / (n * n)
    if expected == 1:
        return 1.0 if observed == 1 else 0.0
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(units: list[list[str]]) -> float | None:
    """Nominal alpha over units (each the labels its raters gave); units with fewer
    than two labels do not count. None when no unit has two."""
    coincidences: Counter[tuple[str, str]] = Counter()
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, j in ((i, j) for i in range(m) for j in range(m) if i != j):
            coincidences[values[i], values[j]] += 1 / (m - 1)
    if not coincidences:
        return None
    totals: Counter[str] = Counter()
    for (c, _), weight in coincidences.items():
        totals[c] += weight
    n = sum(totals.values())
    disagreement_observed = sum(w for (c, k), w in coincidences.items() if c != k)
    disagreement_expected = sum(totals[c] * totals[k] for c in totals for k in totals
                                if c != k) / (n - 1)
    if disagreement_expected == 0:
        return 1.0
    return 1 - disagreement_observed / disagreement_expected


def agreement(store: Store, task: str | None = None) -> dict[str, Any]:
    by_example: dict[int, dict[str, str]] = defaultdict(dict)
    corrections: dict[int, dict[str, str]] = defaultdict(dict)
    for example_id, annotator, decision, output_hash in store.decisions(task):
        if decision in LABELS:
            by_example[example_id][annotator] = decision
        if output_hash is not None:
            corrections[example_id][annotator] = output_hash
    annotators = sorted({a for labels in by_example.values() for a in labels})
    pairs = []
    for first, second in combinations(annotators, 2):
        shared = [labels for labels in by_example.values()
                  if first in labels and second in labels]
        kappa = cohen_kappa([s[first] for s in shared], [s[second] for s in shared])
        agree = sum(s[first] == s[second] for s in shared)
        pairs.append({"annotators": [first, second], "items": len(shared),
                      "agreement": round(agree / len(shared), 6) if shared else None,
                      "kappa": None if kappa is None else round(kappa, 6)})
    alpha = krippendorff_alpha([list(labels.values()) for labels in by_example.values()])
    correction_pairs = [(x, y) for hashes in corrections.values()
                        for x, y in combinations(sorted(hashes.values()), 2)]
    multi = [labels for labels in by_example.values() if len(labels) > 1]
    return {
        "task": task,
        "annotators": annotators,
        "items": len(by_example),
        "items_with_several_decisions": len(multi),
        "disagreements": sum(len(set(labels.values())) > 1 for labels in multi),
        "pairs": pairs,
        "krippendorff_alpha": None if alpha is None else round(alpha, 6),
        "corrections": {
            "pairs_compared": len(correction_pairs),
            "exact_match_rate": round(sum(x == y for x, y in correction_pairs)
                                      / len(correction_pairs), 6) if correction_pairs
            else None,
        },
    }
