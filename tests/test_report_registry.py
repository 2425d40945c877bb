"""The measure registry and the funder templates stay consistent and defined."""

from caseflow.reports.registry import MEASURES
from caseflow.reports.templates import TEMPLATES, check_templates

UNITS = {"count", "days", "minutes", "hours", "rate", "money"}


def test_every_template_lists_only_registered_measures():
    check_templates()
    assert set(TEMPLATES) == {"program-summary", "cvi-performance", "victim-services", "hvip-annual"}


def test_every_measure_has_a_definition_a_grants_manager_can_read():
    for measure in MEASURES.values():
        assert measure.unit in UNITS, measure.id
        assert len(measure.definition.split()) >= 6, measure.id
        assert measure.label and measure.label[0].isupper(), measure.id


def test_rates_medians_and_hours_are_never_suppressed_as_counts():
    for measure in MEASURES.values():
        if measure.unit in ("rate", "days", "minutes", "hours", "money"):
            assert not measure.suppress, measure.id


def test_each_template_has_a_summary_and_named_sections():
    for template in TEMPLATES.values():
        assert template.summary, template.id
        assert all(section.title and section.measure_ids for section in template.sections), template.id
        assert set(template.summary) <= set(template.measure_ids), template.id
        for section in template.sections:
            assert set(section.charts) <= set(section.measure_ids), (template.id, section.title)
