"""Return-visit pages: my visits, the managers' overdue list, a visit with its result form."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core import lists
from kefu.core.errors import KefuError
from kefu.customers.masking import personal
from kefu.customers.selectors import can_see_personal
from kefu.org.models import User
from kefu.visits import selectors, workflow
from kefu.visits.models import VISITOR_ROLES, ReturnVisit


class ResultForm(forms.Form):
    channel = forms.ChoiceField(label=_("方式"), choices=ReturnVisit.Channel.choices)
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=ReturnVisit.Satisfaction.choices)
    content = forms.CharField(label=_("回访内容"), widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


@login_required
@permission_required("visits.view_list", raise_exception=True)
def visit_list(request):
    now = timezone.now()
    scope = request.GET.get("scope", "mine")
    overdue = scope == "overdue"
    if overdue and not request.user.has_perm("visits.view_overdue"):
        scope, overdue = "mine", False
    status = request.GET.get("status", "todo" if not overdue else "")
    kind = request.GET.get("kind", "")
    qs = selectors.visits_for(
        request.user, scope="all" if overdue else scope, status=status, kind=kind, overdue_at=now if overdue else None
    )
    qs = lists.filter_dates(qs, "opened_at", *lists.date_range(request.GET))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/visit_list.html",
        {
            "page": page,
            "scope": scope,
            "status": status,
            "kind": kind,
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
    form = ResultForm(request.POST)
    try:
        if not form.is_valid():
            raise KefuError(workflow.CONTENT_REQUIRED)
        workflow.record_result(visit, **form.cleaned_data, by=request.user, now=timezone.now())
    except KefuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("回访结果已记录到客户关怀栏。"))
    return redirect(visit)


@login_required
@require_POST
def visit_assign(request, pk):
    visit = selectors.visit_for(request.user, pk)
    try:
        assignee = User.objects.get(pk=request.POST.get("assignee"))
        workflow.assign(visit, assignee, by=request.user, now=timezone.now())
    except (User.DoesNotExist, ValueError):
        messages.error(request, workflow.NOT_A_VISITOR)
    except KefuError as exc:
        messages.error(request, exc.message)
    return redirect(visit)


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
    return {
        "title": _("我的回访"),
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
    try:
        workflow.cancel(visit, reason=request.POST.get("reason", ""), by=request.user, now=timezone.now())
    except KefuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("回访已取消，原因已记录。"))
    return redirect(visit)
