from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kefu.plans.models import ServicePlan


def plans_for(user, *, status: str = "", customer: int | None = None) -> QuerySet:
    qs = ServicePlan.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if customer:
        qs = qs.filter(customer_id=customer)
    return qs.select_related("customer", "author", "decided_by").order_by("-created_at", "-id")


def plan_for(user, pk) -> ServicePlan:
    return get_object_or_404(
        ServicePlan.objects.visible_to(user).select_related("customer", "contract", "author__department", "decided_by"),
        pk=pk,
    )
