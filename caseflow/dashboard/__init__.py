"""Program dashboards: a period's figures as SQL aggregates, drawn as server-side SVG charts with tables."""
