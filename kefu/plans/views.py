"""Service-plan pages: list, write from a contract, the plan with approve / return / sign."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.approvals import selectors as approval_selectors
from kefu.approvals import workflow as approvals
from kefu.core.errors import KefuError
from kefu.customers import selectors as customer_selectors
from kefu.plans import selectors, workflow
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
    status = request.GET.get("status", "")
    page = Paginator(selectors.plans_for(request.user, status=status), 30).get_page(request.GET.get("page"))
    return render(
        request, "plans/plan_list.html", {"page": page, "status": status, "statuses": ServicePlan.Status.choices}
    )


@login_required
@permission_required("plans.write", raise_exception=True)
def plan_create(request, customer_pk):
    customer = customer_selectors.customer_for(request.user, customer_pk)
    contract = customer.contracts.order_by("-signed_on").first()
    initial = workflow.draft_from_contract(contract) if contract else {}
    form = PlanForm(request.POST or None, initial={**initial, "visit_channel": "phone"})
    if request.method == "POST" and form.is_valid():
        try:
            plan = workflow.create_plan(
                customer, contract=contract, data=form.cleaned_data, by=request.user, now=timezone.now()
            )
        except KefuError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, SAID["create"])
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "customer": customer, "contract": contract})


@login_required
def plan_edit(request, pk):
    plan = selectors.plan_for(request.user, pk)
    if not request.user.has_perm("plans.change", plan):
        raise PermissionDenied
    form = PlanForm(request.POST or None, instance=ServicePlan.objects.get(pk=plan.pk))
    if request.method == "POST" and form.is_valid():
        try:
            workflow.update_plan(plan, form.cleaned_data, by=request.user, now=timezone.now())
        except KefuError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, SAID["update"])
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "customer": plan.customer, "plan": plan})


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


@login_required
@require_POST
def plan_action(request, pk, action):
    plan = selectors.plan_for(request.user, pk)
    now, user = timezone.now(), request.user
    try:
        if action == "submit":
            workflow.submit(plan, by=user, now=now)
        elif action == "approve":
            workflow.approve(plan, by=user, now=now)
        elif action == "return":
            workflow.return_plan(plan, reason=request.POST.get("reason", ""), by=user, now=now)
        elif action == "sign":
            form = SignForm(request.POST, request.FILES)
            form.is_valid()
            data = form.cleaned_data
            workflow.sign(
                plan,
                signer_name=data.get("signer_name", ""),
                signature=data.get("signature", ""),
                scan=data.get("scan"),
                by=user,
                now=now,
            )
        else:
            raise PermissionDenied
    except KefuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, SAID[action])
    return redirect(plan)


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
