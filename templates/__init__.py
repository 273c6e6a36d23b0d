"""Block Kit templates (jinja2, *.json.j2), packaged so they load from an installed wheel."""
