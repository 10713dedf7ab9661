"""The signed service sheet as a PDF (OS-4): rendered after the signature commits, never inside
a transaction (WeasyPrint takes a second; on SQLite a write transaction blocks every writer)."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kefu.customers.masking import personal
from kefu.documents import images, pdf
from kefu.fieldservice.models import ServiceSheet
from kefu.org.models import Company


def _contact(order, *, masked: bool) -> dict:
    req = order.request
    contact = req.contact or order.customer.contacts.filter(is_main=True).first()
    phone = req.caller_phone or (contact.mobile or contact.phone if contact else "")
    return {
        "name": req.caller or (contact.name if contact else ""),
        "phone": personal(phone, allowed=not masked),
        "address": personal(order.customer.address, allowed=not masked, kind="address"),
    }


def render(sheet: ServiceSheet, *, masked: bool = False) -> bytes:
    """The sheet with the company header, request number, contact, appointment, photos and signature.

    The stored PDF is the full record; `masked=True` is the copy a role without the personal-data
    permission downloads (QS-6), rendered when asked."""
    order = sheet.order
    source = sheet.signature or sheet.paper_photo
    return pdf.render(
        "fieldservice/sheet_pdf.html",
        {
            "sheet": sheet,
            "order": order,
            "req": order.request,
            "company": Company.objects.order_by("pk").first(),
            "contact": _contact(order, masked=masked),
            "photos": [
                url for url in (images.thumbnail_data_url(p.thumbnail or p.file) for p in sheet.photos.all()) if url
            ],
            "signature": images.data_url(source) if source else "",
            "printed_at": timezone.localtime(sheet.signed_at) if sheet.signed_at else None,
        },
    )


def store(sheet_id: int) -> bool:
    """Render and keep the PDF of a signed sheet that has none yet; True if one was written.

    Safe to run twice or in two workers: the file is attached with a conditional UPDATE, so
    the second render is dropped."""
    sheet = (
        ServiceSheet.objects.filter(pk=sheet_id, signed_at__isnull=False, pdf="")
        .select_related("order__customer", "order__engineer", "order__request__contact")
        .first()
    )
    if sheet is None:
        return False
    data = render(sheet)
    name = sheet.pdf.storage.save(
        sheet.pdf.field.generate_filename(sheet, f"service-sheet-{sheet.order.number}.pdf"), ContentFile(data)
    )
    with transaction.atomic():
        written = ServiceSheet.objects.filter(pk=sheet_id, pdf="").update(pdf=name)
    if not written:
        sheet.pdf.storage.delete(name)
    return bool(written)


def missing(limit: int = 50) -> list[int]:
    """Signed sheets still without their PDF (the broker was down when they were signed)."""
    return list(
        ServiceSheet.objects.filter(signed_at__isnull=False, pdf="")
        .order_by("signed_at")
        .values_list("pk", flat=True)[:limit]
    )
