"""Catalog views, one module per area. Thin: fetch through scoping, validate with a
form, change through services, render a template."""
