"""The funder templates, collected from the measure modules that define them."""

from caseflow.reports.measures import cvi, hvip_annual, summary, voca
from caseflow.reports.registry import MEASURES, ReportTemplate

TEMPLATES: dict[str, ReportTemplate] = {
    t.id: t for t in (summary.TEMPLATE, cvi.TEMPLATE, voca.TEMPLATE, hvip_annual.TEMPLATE) if t is not None
}


def check_templates() -> None:
    """Every measure a template lists exists in the registry (run by the tests)."""
    for template in TEMPLATES.values():
        missing = [mid for mid in template.all_measure_ids if mid not in MEASURES]
        if missing:
            raise LookupError(f"template {template.id} lists unknown measures {missing}")
