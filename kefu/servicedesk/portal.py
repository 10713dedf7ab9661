"""The customer portal (客户门户): a `customer` user sees, submits, follows, confirms or reopens
its own organisation's requests, and is told when the first response is due (SR-2, CAL-2)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core.actions import act
from kefu.customers.models import Customer
from kefu.deadlines import calendars, clocks
from kefu.deadlines.clockmath import is_working_time
from kefu.servicedesk import selectors, tables, workflow
from kefu.servicedesk.forms import NoteForm, PortalRequestForm, ReasonForm
from kefu.servicedesk.models import ServiceRequest
from kefu.servicedesk.tables import with_labels


def response_promise(req: ServiceRequest, now) -> str:
    """ "We will reply by …", said the way the calendar makes it true: outside working hours
    or on a holiday, the reply comes on the next working day."""
    clock = clocks.open_clock(req, workflow.first_response_rule(req.priority))
    if clock is None or clock.due_at is None:
        return ""
    zone = clock.calendar.zone
    due = clock.due_at.astimezone(zone)
    when = f"{due:%Y-%m-%d %H:%M}"
    if not is_working_time(calendars.snapshot(clock.calendar), now):
        if due.date() != now.astimezone(zone).date():
            return str(_("现在是非工作时间，我们将在下一个工作日 %(t)s 前答复您。") % {"t": when})
        return str(_("现在是非工作时间，我们将在今天上班后、%(t)s 前答复您。") % {"t": when})
    return str(_("我们将在 %(t)s 前答复您。") % {"t": when})


def _my_customer(user) -> Customer | None:
    return Customer.objects.visible_to(user).first()


@login_required
@permission_required("servicedesk.submit_portal", raise_exception=True)
def portal_list(request):
    return render(
        request,
        "servicedesk/portal_list.html",
        {"listing": tables.PORTAL.listing(request), "customer": _my_customer(request.user)},
    )


@login_required
@permission_required("servicedesk.submit_portal", raise_exception=True)
def portal_new(request):
    """A customer reports a problem (SR-2); a refused one shows the form again as typed."""
    customer = _my_customer(request.user)

    def page(exc=None):
        return render(
            request,
            "servicedesk/portal_form.html",
            {
                "customer": customer,
                "types": ServiceRequest.Type.choices,
                "priorities": ServiceRequest.Priority.choices,
                "post": request.POST,
                "error": exc,
            },
            status=exc.status if exc is not None else 200,
        )

    if request.method != "POST" or customer is None:
        return page()
    return act(
        request,
        workflow.create_request,
        customer,
        channel=ServiceRequest.Channel.PORTAL,
        form=PortalRequestForm(request.POST, request.FILES),
        # The request's page says when we will reply (its promise box): said once, not twice.
        done=lambda req: _("已提交 %(n)s。") % {"n": req.number},
        then=lambda req: reverse("portal:detail", args=[req.pk]),
        again=page,
    )


@login_required
@permission_required("servicedesk.submit_portal", raise_exception=True)
def portal_detail(request, pk):
    req = selectors.request_for(request.user, pk)
    return render(
        request,
        "servicedesk/portal_detail.html",
        {
            "req": req,
            "steps": selectors.steps_of(req, customer_view=True),
            "attachments": req.attachments.all(),
            "visits": selectors.work_orders_of(req),
            "promise": response_promise(req, timezone.now()) if req.first_response_at is None else "",
        },
    )


@login_required
@permission_required("servicedesk.submit_portal", raise_exception=True)
def portal_sheet(request, pk, order):
    """The customer's copy of a signed service sheet (OS-4), of its own request only."""
    req = selectors.request_for(request.user, pk)
    visit = next((o for o in selectors.work_orders_of(req) if o.pk == order), None)
    sheet = getattr(visit, "sheet", None) if visit is not None else None
    if sheet is None or not sheet.pdf:
        raise Http404
    return FileResponse(sheet.pdf.open("rb"), content_type="application/pdf", filename=f"{visit.number}.pdf")


# What a customer does with a solved request: action → (workflow function, its form, fixed
# arguments, what happened).
PAGE_ACTIONS = {
    "confirm": (
        workflow.confirm,
        NoteForm,
        {"via": ServiceRequest.Confirmation.PORTAL},
        lambda req: _("感谢您的确认，%(n)s 已关闭。") % {"n": req.number},
    ),
    "reopen": (workflow.reopen, ReasonForm, {}, lambda req: _("已通知工程师重新处理。")),
}


@login_required
@require_POST
def portal_action(request, pk, action):
    req = selectors.request_for(request.user, pk)
    if action not in PAGE_ACTIONS:
        raise Http404
    fn, form_class, fixed, said = PAGE_ACTIONS[action]
    return act(
        request,
        fn,
        req,
        **fixed,
        form=form_class(request.POST),
        done=said,
        then=reverse("portal:detail", args=[req.pk]),
    )


def workbench_panel(request) -> dict | None:
    """A customer's workbench: its organisation's open requests, those waiting for its
    confirmation first (SR-5), and the way to report a new problem (SR-1)."""
    user = request.user
    if not user.is_authenticated or not user.has_perm("servicedesk.submit_portal"):
        return None
    rows = with_labels(list(selectors.requests_for(user, status="open")[:20]))
    # Waiting for the customer's confirmation first, then the newest.
    rows.sort(key=lambda r: (r.status != ServiceRequest.Status.SOLVED, -r.pk))
    return {
        "title": _("我的服务请求"),
        "template": "servicedesk/portal_workbench_panel.html",
        "requests": rows[:8],
        "to_confirm": sum(r.status == ServiceRequest.Status.SOLVED for r in rows),
    }
