"""Return-visit pages: my visits, the managers' overdue list, a visit with its result form."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core.actions import act
from kefu.customers.masking import personal
from kefu.customers.selectors import can_see_personal
from kefu.org.models import User
from kefu.visits import selectors, tables, workflow
from kefu.visits.forms import AssignForm, CancelForm, ResultForm
from kefu.visits.models import VISITOR_ROLES, ReturnVisit


@login_required
@permission_required("visits.view_list", raise_exception=True)
def visit_list(request):
    now = timezone.now()
    filters = tables.filters_of(request.user, request.GET)
    listing = tables.VISITS.listing(request, now=now)
    return render(
        request,
        "visits/visit_list.html",
        {
            "listing": listing,
            "scope": filters["scope"],
            "status": filters["status"],
            "kind": filters["kind"],
            "now": now,
            "kinds": ReturnVisit.Kind.choices,
            "statuses": ReturnVisit.Status.choices,
            "can_overdue": request.user.has_perm("visits.view_overdue"),
        },
    )


@login_required
def visit_detail(request, pk):
    visit = selectors.visit_for(request.user, pk)
    can_record = request.user.has_perm("visits.record_result", visit) and visit.status == ReturnVisit.Status.OPEN
    can_assign = request.user.has_perm("visits.assign", visit) and visit.status in workflow.OPEN_STATES
    return render(
        request,
        "visits/visit_detail.html",
        {
            "visit": visit,
            "now": timezone.now(),
            "call": _whom_to_call(request.user, visit),
            "can_record": can_record,
            "can_assign": can_assign,
            "form": ResultForm(initial={"channel": visit.channel, "satisfaction": "satisfied"}),
            "people": User.objects.filter(
                is_active=True, groups__name__in=["customer_rep", "field_engineer", "service_desk"]
            ).distinct()
            if can_assign
            else [],
        },
    )


def _whom_to_call(user, visit) -> dict | None:
    """The person to call (RV-1, RV-2): the contact of the visit's source (a request's caller),
    else the customer's main contact; the number masked for roles without personal data (QS-6)."""
    source = visit.source if visit.source_id else None
    contact = getattr(source, "visit_contact", lambda: None)() if source is not None else None
    contact = contact or visit.customer.contacts.filter(is_main=True).first()
    if contact is None:
        return None
    allowed = can_see_personal(user, visit.customer)
    number = contact.mobile or contact.phone
    return {
        "name": contact.name,
        "title": contact.title,
        "phone": personal(number, allowed=allowed),
        "tel": number if allowed else "",
        "email": contact.email if allowed else "",
    }


@login_required
@require_POST
def visit_result(request, pk):
    visit = selectors.visit_for(request.user, pk)
    return act(
        request,
        workflow.record_result,
        visit,
        form=ResultForm(request.POST),
        done=_("回访结果已记录到客户关怀栏。"),
        then=visit,
    )


@login_required
@require_POST
def visit_assign(request, pk):
    visit = selectors.visit_for(request.user, pk)
    return act(
        request,
        workflow.assign,
        visit,
        form=AssignForm(request.POST),
        done=lambda v: _("回访已分配给%(n)s。") % {"n": v.assignee.display_name},
        then=visit,
    )


def workbench_panel(request) -> dict | None:
    """我的回访 (RV-8): open visits assigned to me by due time; managers also see the overdue count."""
    user = request.user
    if not user.is_authenticated or not user.has_perm("visits.view_list"):
        return None
    now = timezone.now()
    mine = []
    if user.role_keys & VISITOR_ROLES:  # managers who make no visits themselves skip the query
        mine = list(selectors.visits_for(user, scope="mine", status=ReturnVisit.Status.OPEN)[:8])
    overdue = None
    if user.has_perm("visits.view_overdue"):
        overdue = selectors.visits_for(user, scope="all", overdue_at=now).count()
    if not mine and not overdue:
        return None
    title = _("我的回访")
    if not mine and overdue:
        # A manager who makes no visits: the team's overdue visits, not an empty list under a count.
        mine = list(selectors.visits_for(user, scope="all", overdue_at=now).order_by("due_at")[:8])
        title = _("团队超期回访")
    return {
        "title": title,
        "template": "visits/workbench_panel.html",
        "visits": mine,
        "overdue": overdue,
        "now": now,
    }


def customer_panel(request, customer) -> dict | None:
    if not request.user.has_perm("visits.view_overdue") and not request.user.has_perm("visits.view_list"):
        return None
    visits = list(
        selectors.in_work_order(
            selectors.with_due(
                customer.return_visits.visible_to(request.user)
                .filter(status__in=workflow.OPEN_STATES)
                .select_related("assignee")
            )
        )[:10]
    )
    return {"template": "visits/customer_panel.html", "visits": visits} if visits else None


@login_required
@require_POST
def visit_cancel(request, pk):
    visit = selectors.visit_for(request.user, pk)
    return act(
        request, workflow.cancel, visit, form=CancelForm(request.POST), done=_("回访已取消，原因已记录。"), then=visit
    )
