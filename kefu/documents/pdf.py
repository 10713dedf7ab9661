"""PDF from a Django template: `pdf.render("app/sheet.html", context) -> bytes`.

WeasyPrint lays out the HTML; Chinese text needs the fonts-noto-cjk Debian package (the
templates name "Noto Sans CJK SC"). No network: base_url is the static root only.
"""

from django.conf import settings
from django.template.loader import render_to_string


def render(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(getattr(settings, "STATIC_ROOT", "") or ".")).write_pdf()
