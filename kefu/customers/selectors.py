"""Scoped reads of the customer archive: every list and detail goes through visible_to(user)."""

import re

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from kefu.customers.models import Contact, Contract, Customer, Device
from kefu.search import search as fulltext

_ASCII_WORD = re.compile(r"^[A-Za-z]+$")
# Letters and digits match at most this many customers each (initials, Latin names, numbers).
LIMIT = 1000
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def can_see_personal(user, customer: Customer | None = None) -> bool:
    return user.has_perm("customers.view_personal_data", customer)


def search(qs: QuerySet, q: str) -> QuerySet:
    """Chinese text: full-text over name, short name, industry (kefu.search, CJK bigrams);
    letters: pinyin initials ("shys") or a Latin name; digits: contract or dongle number.

    The full-text match joins the list's own query (not a subquery), so the index drives it
    at 100,000 customers; the caller orders the result.
    """
    q = (q or "").strip()
    if not q:
        return qs
    if _CJK.search(q):
        return fulltext(qs, q)
    # One id query for the full-text part; initials and contract numbers are conditions of the
    # list's own query, so a page stays within 10 queries.
    match = Q(pk__in=list(fulltext(Customer.objects.all(), q).values_list("pk", flat=True)[:LIMIT]))
    if _ASCII_WORD.match(q):
        prefix = q.upper()
        # A range, not LIKE 'X%': both databases answer it from the initials index.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        match |= Q(initials__gte=prefix, initials__lt=upper)
    if any(ch.isdigit() for ch in q):
        match |= Q(pk__in=Contract.objects.filter(Q(number=q) | Q(dongle_no=q)).values("customer_id"))
    return qs.filter(match)


def customers_for(
    user,
    *,
    q: str = "",
    level: str = "",
    owner: str = "",
    province: str = "",
    city: str = "",
    status: str = "",
    with_owner: bool = True,
) -> QuerySet:
    qs = Customer.objects.visible_to(user)
    qs = search(qs, q)
    if level:
        qs = qs.filter(level=level)
    if owner:
        qs = qs.filter(owner_id=owner) if owner.isdigit() else qs.filter(owner__username=owner)
    if province:
        qs = qs.filter(province_id=province)
    if city:
        qs = qs.filter(city_id=city)
    if status:
        qs = qs.filter(status=status)
    # The owner is prefetched, not joined: with an owner filter the join makes SQLite's planner
    # start from the users table and sort every customer instead of reading the owner index.
    qs = qs.select_related("province", "city", "district").defer("search_tokens", "search_vector")
    if with_owner:
        qs = qs.prefetch_related("owner")
    return qs.order_by("-created_at", "-id")


def customer_for(user, pk) -> Customer:
    return get_object_or_404(
        Customer.objects.visible_to(user).select_related("owner", "province", "city", "district", "created_by"),
        pk=pk,
    )


def contacts_for(user, *, customer: int | None = None) -> QuerySet:
    qs = Contact.objects.visible_to(user).select_related("customer")
    if customer:
        qs = qs.filter(customer_id=customer)
    return qs.order_by("customer_id", "-is_main", "id")


def contracts_for(user, *, customer: int | None = None) -> QuerySet:
    qs = Contract.objects.visible_to(user).select_related("customer", "sales")
    if customer:
        qs = qs.filter(customer_id=customer)
    return qs.order_by("-signed_on", "-id")


def devices_for(user, *, customer: int | None = None) -> QuerySet:
    qs = Device.objects.visible_to(user).select_related("customer", "contract")
    if customer:
        qs = qs.filter(customer_id=customer)
    return qs.order_by("id")


def contract_for(user, pk) -> Contract:
    return get_object_or_404(Contract.objects.visible_to(user).select_related("customer", "sales"), pk=pk)


def contact_for(user, pk) -> Contact:
    return get_object_or_404(Contact.objects.visible_to(user).select_related("customer"), pk=pk)


def main_contact(customer: Customer) -> Contact | None:
    return Contact.objects.filter(customer=customer, is_main=True).first()
