"""Reading /metrics the way Prometheus would."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample(text: str, name: str, **labels: str) -> float:
    """The value of the sample `name` with exactly `labels` (0 when absent, as for a new series)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0


def families(text: str) -> set[str]:
    """The metric family names on the page."""
    return {family.name for family in text_string_to_metric_families(text)}
