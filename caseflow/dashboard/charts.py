"""Dashboard figures drawn as SVG with pygal: the same charts for the pages and the PDF reports.

Pure functions of the query dataclasses: no request, session or database here. The SVG carries no
script (pygal's config script is stripped) and no external reference, only an inline <style>.
"""

import pygal
from pygal.style import Style

from caseflow.dashboard.queries import CaseloadPoint, MonthCount, OutcomeCounts, ReferralFunnel, WeeklyContacts

WIDTH = 800
HEIGHT = 400

# Okabe-Ito: told apart with the common kinds of colour blindness, dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999933", "#000000", "#888888")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212529",
    foreground_strong="#000000",
    foreground_subtle="#6c757d",
    opacity="1",
    opacity_hover="1",
    transition="0s",
    colors=PALETTE,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    title_font_size=20,
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    value_font_size=14,
    value_label_font_size=14,
    tooltip_font_size=14,
)


def _strip_scripts(root):
    """Drop every <script> pygal adds (its config), so the image is inert whatever the viewer allows."""
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def _chart(kind, title: str, **config):
    """A pygal chart with the house settings: no JavaScript, explicit size, a title, readable colours."""
    chart = kind(
        title=title,
        style=STYLE,
        width=config.pop("width", WIDTH),
        height=config.pop("height", HEIGHT),
        explicit_size=True,
        js=[],
        disable_xml_declaration=True,
        css=["file://style.css", "file://graph.css"],
        show_y_guides=True,
        include_x_axis=True,
        no_data_text="Nothing in this period",
        truncate_legend=-1,
        **config,
    )
    chart.add_xml_filter(_strip_scripts)
    return chart


def _integer_axis(values) -> dict:
    """Whole-number y labels for counts (pygal would print 0.5 steps for small counts)."""
    top = max([*values, 0])
    if top <= 10:
        return {"y_labels": list(range(0, max(top, 1) + 1))}
    return {}


def enrollments_chart(months: tuple[MonthCount, ...]) -> str:
    """Bar chart of new enrollments per month."""
    counts = [m.count for m in months]
    chart = _chart(
        pygal.Bar,
        "Enrollments per month",
        show_legend=False,
        print_values=len(months) <= 13,
        x_label_rotation=-45 if len(months) > 6 else 0,
        **_integer_axis(counts),
    )
    chart.x_labels = [m.month.strftime("%b %Y") for m in months]
    chart.add("Enrollments", counts)
    return chart.render()


def caseload_chart(points: tuple[CaseloadPoint, ...]) -> str:
    """Line chart of cases active at the end of each month."""
    counts = [p.active for p in points]
    chart = _chart(
        pygal.Line,
        "Active caseload at month end",
        show_legend=False,
        dots_size=4,
        x_label_rotation=-45 if len(points) > 6 else 0,
        **_integer_axis(counts),
    )
    chart.x_labels = [p.as_of.strftime("%d %b %Y") for p in points]
    chart.add("Active cases", counts)
    return chart.render()


def contacts_chart(weekly: WeeklyContacts) -> str:
    """Stacked bars of completed contacts per week by mode, with attempts stacked on top."""
    every = max(1, len(weekly.weeks) // 12)
    totals = [w.total for w in weekly.weeks]
    chart = _chart(
        pygal.StackedBar,
        "Contacts per week by mode",
        legend_at_bottom=True,
        legend_at_bottom_columns=4,
        height=HEIGHT + 60,
        x_label_rotation=-45,
        x_labels_major_every=every,
        show_minor_x_labels=every == 1,
        **_integer_axis(totals),
    )
    chart.x_labels = [w.week_start.strftime("%d %b") for w in weekly.weeks]
    for i in weekly.modes_used:
        chart.add(weekly.modes[i][1], [w.completed_by_mode[i] for w in weekly.weeks])
    if weekly.attempted:
        chart.add("Attempted, not reached", [w.attempted for w in weekly.weeks])
    return chart.render()


def referral_funnel_chart(funnel: ReferralFunnel) -> str:
    """Horizontal bars: referrals made, of those connected, of those completed."""
    median = funnel.median_days
    subtitle = f" (median {median:g} days to connect)" if median is not None else ""
    chart = _chart(
        pygal.HorizontalBar,
        f"Referral funnel{subtitle}",
        show_legend=False,
        print_values=True,
        height=300,
        **_integer_axis([funnel.referred]),
    )
    # pygal draws the first label at the bottom; reversed, the funnel reads top-down.
    chart.x_labels = ["Completed", "Connected", "Referred"]
    chart.add("Referrals", [funnel.completed, funnel.connected, funnel.referred])
    return chart.render()


def outcomes_chart(outcomes: OutcomeCounts) -> str:
    """Bar chart of outcome events by type."""
    counts = [o.count for o in outcomes.by_type]
    chart = _chart(
        pygal.Bar,
        "Outcomes by type",
        show_legend=False,
        print_values=True,
        x_label_rotation=-30,
        height=HEIGHT + 40,
        **_integer_axis(counts),
    )
    chart.x_labels = [o.label for o in outcomes.by_type]
    chart.add("Outcomes", counts)
    return chart.render()
