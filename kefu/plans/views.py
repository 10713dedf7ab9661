"""Service-plan pages: list, write from a contract, the plan with approve / return / sign."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.approvals import selectors as approval_selectors
from kefu.approvals import workflow as approvals
from kefu.core.actions import act
from kefu.customers import selectors as customer_selectors
from kefu.plans import selectors, tables, workflow
from kefu.plans.forms import PlanForm, ReturnForm, SignForm
from kefu.plans.models import ServicePlan

SAID = {
    "create": _("服务计划已创建，核对后请提交审批。"),
    "update": _("服务计划已修改。"),
    "submit": _("已提交审批，审批人已收到待审批通知。"),
    "approve": _("服务计划已批准，回访已按计划排期。"),
    "return": _("已退回给编写人修改。"),
    "sign": _("客户签字已确认。"),
}


@login_required
@permission_required("plans.view_list", raise_exception=True)
def plan_list(request):
    return render(
        request,
        "plans/plan_list.html",
        {
            "listing": tables.PLANS.listing(request),
            "status": request.GET.get("status", ""),
            "statuses": ServicePlan.Status.choices,
        },
    )


@login_required
@permission_required("plans.write", raise_exception=True)
def plan_create(request, customer_pk):
    customer = customer_selectors.customer_for(request.user, customer_pk)
    contract = customer.contracts.order_by("-signed_on").first()
    initial = workflow.draft_from_contract(contract) if contract else {}
    form = PlanForm(request.POST or None, initial={**initial, "visit_channel": "phone"})

    def page(exc=None):
        return render(request, "plans/plan_form.html", {"form": form, "customer": customer, "contract": contract})

    if request.method != "POST":
        return page()
    return act(request, workflow.create_plan, customer, contract=contract, form=form, done=SAID["create"], again=page)


@login_required
def plan_edit(request, pk):
    plan = selectors.plan_for(request.user, pk)
    if not request.user.has_perm("plans.change", plan):
        raise PermissionDenied
    form = PlanForm(request.POST or None, instance=ServicePlan.objects.get(pk=plan.pk))

    def page(exc=None):
        return render(request, "plans/plan_form.html", {"form": form, "customer": plan.customer, "plan": plan})

    if request.method != "POST":
        return page()
    return act(request, workflow.update_plan, plan, form=form, done=SAID["update"], then=plan, again=page)


@login_required
def plan_detail(request, pk):
    plan = selectors.plan_for(request.user, pk)
    user = request.user
    visits = plan.visits.select_related("assignee").order_by("planned_for") if not user.is_external else []
    approval = approvals.approval_of(plan, workflow.PLAN_CHAIN) if not user.is_external else None
    step = approvals.current_step(approval) if approval else None
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "visits": visits,
            "can_change": user.has_perm("plans.change", plan) and plan.status in ("draft", "returned"),
            "can_decide": step is not None and plan.status == "submitted" and approvals.may_decide(user, step),
            "approval": approval,
            "history": approval_selectors.history(approval) if approval else [],
            "can_sign": user.has_perm("plans.sign", plan) and plan.status == "approved",
            "return_form": ReturnForm(),
            "sign_form": SignForm(),
        },
    )


# action → (workflow function, the form of its input or None)
PAGE_ACTIONS = {
    "submit": (workflow.submit, None),
    "approve": (workflow.approve, None),
    "return": (workflow.return_plan, ReturnForm),
    "sign": (workflow.sign, SignForm),
}


@login_required
@require_POST
def plan_action(request, pk, action):
    plan = selectors.plan_for(request.user, pk)
    if action not in PAGE_ACTIONS:
        raise PermissionDenied
    fn, form_class = PAGE_ACTIONS[action]
    form = form_class(request.POST, request.FILES) if form_class else None
    return act(request, fn, plan, form=form, done=SAID[action], then=plan)


def customer_panel(request, customer) -> dict | None:
    if not request.user.has_perm("plans.view_list"):
        return None
    plans = list(selectors.plans_for(request.user, customer=customer.pk)[:5])
    return {
        "template": "plans/customer_panel.html",
        "plans": plans,
        "customer": customer,
        "can_write": request.user.has_perm("plans.write"),
    }
