"""《用户投诉登记表》 as a PDF with the company header (CP-1), rendered when asked (a GET, never
inside a transaction)."""

from django.utils import timezone

from kefu.complaints.models import Complaint
from kefu.customers.masking import personal
from kefu.documents import pdf
from kefu.org.models import Company


def registration_form(complaint: Complaint, *, masked: bool = False) -> bytes:
    return pdf.render(
        "complaints/registration_pdf.html",
        {
            "c": complaint,
            "company": Company.objects.order_by("pk").first(),
            "phone": personal(complaint.contact_phone, allowed=not masked),
            "actions": list(complaint.actions.select_related("owner")),
            "printed_at": timezone.localtime(),
        },
    )
