"""Customer pages: list with filters and search, detail with the care column, create and edit."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Subquery
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core.actions import act
from kefu.customers import excel, selectors, timeline, workflow
from kefu.customers.forms import (
    ContactForm,
    ContractForm,
    CustomerForm,
    DeviceForm,
    ImportForm,
    MainContactForm,
    NewCustomerForm,
    NoteForm,
    ReasonForm,
)
from kefu.customers.models import Customer, ImportJob
from kefu.org.models import Region, User

FILTERS = ("q", "level", "owner", "province", "city", "status")
SAVED = _("客户档案已更新。")
CHILD_SAVED = _("%(what)s：已保存。")
STATUS_SAID = {"close": _("已关闭客户档案：%(c)s。"), "reopen": _("已重新启用客户档案：%(c)s。")}


_PROVINCES: list[Region] = []


def provinces() -> list[Region]:
    """The 34 provinces for the filter: reference data, read once per process (once loaded)."""
    if not _PROVINCES:
        _PROVINCES.extend(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))
    return _PROVINCES


def _filters(request) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in FILTERS}


# What a list row shows: no text blobs, no search columns.
SELECTED = ("province", "city", "district")
LIST_FIELDS = (
    "id",
    "name",
    "short_name",
    "level",
    "address",
    "owner_id",
    "status",
    "created_at",
    "province__name",
    "city__name",
    "district__name",
)


class ListPaginator(Paginator):
    """Pages of a list that may hold hundreds of thousands of rows (issue #5).

    - The count stops at `cap`: COUNT(*) over a LIMIT subquery reads at most `cap` + 1 index
      entries (an exact COUNT(*) of 100,000 customers took 25-40 ms). Past the cap the page
      says "more than" and pages end there, so no OFFSET reads more than `cap` rows either:
      beyond that, filters and search narrow the list.
    - A page always asks for `per_page` rows. Django trims the last page's LIMIT to the
      count, and with LIMIT 1 PostgreSQL walks the newest-first index row by row for the one
      search hit instead of using the search index (110 ms for 1 hit in 110,000 rows).
    - Deep pages, and `ids_first` lists (search), read the page's ids first, then only those
      rows with their regions: past an OFFSET that is an index-only scan, and for a search
      SQLite otherwise joins the regions and computes bm25 for every hit before sorting
      (28 ms → 13 ms for 4,500 hits of 100,000).
    """

    cap = 10_000
    deep = 300  # from this OFFSET on, the ids first

    def __init__(self, object_list, per_page, *, ids_first: bool = False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.ids_first = ids_first

    @cached_property
    def exact_count(self) -> int:
        return self.object_list.values("pk").order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.exact_count > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.exact_count, self.cap)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list
        if self.ids_first or bottom >= self.deep:
            ids = rows.values("pk")[bottom : bottom + self.per_page]
            rows = (
                Customer.all_objects.filter(pk__in=Subquery(ids))
                .select_related(*SELECTED)
                .only(*LIST_FIELDS)
                .order_by(*rows.query.order_by)
            )
        else:
            rows = rows[bottom : bottom + self.per_page]
        return self._get_page(list(rows), number, self)


@login_required
@permission_required("customers.view_customer_list", raise_exception=True)
def customer_list(request):
    filters = _filters(request)
    qs = selectors.customers_for(request.user, **filters, with_owner=False).only(*LIST_FIELDS)
    page = ListPaginator(qs, 30, ids_first=bool(filters["q"])).get_page(request.GET.get("page"))
    # Owners come from the filter's list of representatives: no query per page for them.
    owners = list(User.objects.filter(groups__name="customer_rep", is_active=True).order_by("username"))
    by_pk = {u.pk: u for u in owners}
    missing = {c.owner_id for c in page if c.owner_id and c.owner_id not in by_pk}
    if missing:
        by_pk.update({u.pk: u for u in User.objects.filter(pk__in=missing)})
    for c in page:
        c.owner_name = by_pk[c.owner_id].display_name if c.owner_id else ""
        # get_FOO_display() translates every choice on each call; one label per row here.
        c.level_label, c.status_label = Customer.Level(c.level).label, Customer.Status(c.status).label
    return render(
        request,
        "customers/customer_list.html",
        {
            "page": page,
            "filters": filters,
            "levels": Customer.Level.choices,
            "statuses": Customer.Status.choices,
            "provinces": provinces(),
            "owners": owners,
            "show_personal": selectors.can_see_personal(request.user),
            "can_add": request.user.has_perm("customers.add_customer"),
            "can_import": request.user.has_perm("customers.import_customers"),
            "can_export": request.user.has_perm("customers.export_customers"),
        },
    )


@login_required
def customer_detail(request, pk):
    customer = selectors.customer_for(request.user, pk)
    user = request.user
    can_timeline = user.has_perm("customers.view_timeline", customer)
    tl = (
        timeline.page(customer, before=request.GET.get("before", ""), kind=request.GET.get("kind", ""))
        if (can_timeline)
        else None
    )
    if request.htmx and tl is not None and request.GET.get("before"):
        return render(request, "customers/_timeline_entries.html", {"tl": tl, "customer": customer})
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "contacts": customer.contacts.all(),
            "contracts": customer.contracts.select_related("sales"),
            "devices": customer.devices.all(),
            "tl": tl,
            "timeline_kinds": timeline.KINDS.items(),
            "show_personal": selectors.can_see_personal(user, customer),
            "can_change": user.has_perm("customers.change_customer", customer),
            "can_status": user.has_perm("customers.change_customer_status", customer),
            "can_note": user.has_perm("customers.add_note", customer),
            "can_contract": user.has_perm("customers.add_contract", customer),
            "can_change_contract": user.has_perm("customers.change_contract", customer),
            "can_device": user.has_perm("customers.add_device", customer),
            "note_form": NoteForm(),
            "reason_form": ReasonForm(),
            "panels": [p(request, customer) for p in CUSTOMER_PANELS],
        },
    )


# Other domains add sections to the customer page (first visits, plans, visits): f(request, customer) → dict | None.
CUSTOMER_PANELS: list = []


@login_required
def customer_create(request):
    if not request.user.has_perm("customers.add_customer"):
        raise PermissionDenied
    form = NewCustomerForm(request.POST or None)
    contact_form = MainContactForm(request.POST or None)

    def page(exc=None):
        # A likely duplicate: the candidates to check, and the box that confirms it is another customer.
        candidates = exc.candidates if isinstance(exc, workflow.DuplicateSuspected) else []
        return render(
            request,
            "customers/customer_form.html",
            {"form": form, "contact_form": contact_form, "candidates": candidates, "title": _("新建客户")},
        )

    if request.method != "POST" or not contact_form.is_valid():
        return page()
    contact = contact_form.contact()
    return act(
        request,
        workflow.create_customer,
        form=form,
        contacts=[contact] if contact else [],
        done=_("客户档案已建立。"),
        again=page,
    )


@login_required
def customer_edit(request, pk):
    customer = selectors.customer_for(request.user, pk)
    if not request.user.has_perm("customers.change_customer", customer):
        raise PermissionDenied
    form = CustomerForm(request.POST or None, instance=Customer.objects.get(pk=customer.pk))

    def page(exc=None):
        return render(
            request, "customers/customer_form.html", {"form": form, "title": _("编辑客户档案"), "customer": customer}
        )

    if request.method != "POST":
        return page()
    return act(request, _update(workflow.update_customer), customer, form=form, done=SAVED, then=customer, again=page)


def _update(fn):
    """A correcting workflow (`fn(row, changes, …)`) called with the form's data."""
    return lambda row, *, data, by, now: fn(row, data, by=by, now=now)


def _child_form(request, pk, form_class, save, title, perm, *, related: str = "", child_pk=None):
    """Add (no `related`) or correct (`related`, `child_pk`) a contact, contract or device of
    the customer through its workflow function (CRM-1..4); `save(target, data=, by=, now=)`
    gets the customer when adding, the child when correcting."""
    customer = selectors.customer_for(request.user, pk)
    if not request.user.has_perm(perm, customer):
        raise PermissionDenied
    target, instance = customer, None
    if related:
        target = get_object_or_404(getattr(customer, related).all(), pk=child_pk)
        # The form gets its own copy: a ModelForm writes cleaned values onto its instance.
        instance = type(target).objects.get(pk=target.pk)
    form = form_class(request.POST or None, instance=instance)

    def page(exc=None):
        return render(request, "customers/child_form.html", {"form": form, "title": title, "customer": customer})

    if request.method != "POST":
        return page()
    return act(request, save, target, form=form, done=CHILD_SAVED % {"what": title}, then=customer, again=page)


def _update_contact(contact, *, data, by, now):
    workflow.update_contact(contact, data, by=by, now=now)
    if data.get("is_main") and not contact.is_main:
        workflow.set_main_contact(contact, by=by, now=now)


@login_required
def contact_edit(request, pk, child_pk):
    perm = "customers.change_customer"
    return _child_form(
        request, pk, ContactForm, _update_contact, _("编辑联系人"), perm, related="contacts", child_pk=child_pk
    )


@login_required
def contract_edit(request, pk, child_pk):
    perm = "customers.change_contract"
    return _child_form(
        request,
        pk,
        ContractForm,
        _update(workflow.update_contract),
        _("编辑合同"),
        perm,
        related="contracts",
        child_pk=child_pk,
    )


@login_required
def device_edit(request, pk, child_pk):
    perm = "customers.add_device"
    return _child_form(
        request,
        pk,
        DeviceForm,
        _update(workflow.update_device),
        _("编辑设备"),
        perm,
        related="devices",
        child_pk=child_pk,
    )


@login_required
def contact_create(request, pk):
    return _child_form(request, pk, ContactForm, workflow.add_contact, _("添加联系人"), "customers.change_customer")


@login_required
def contract_create(request, pk):
    return _child_form(request, pk, ContractForm, workflow.create_contract, _("录入合同"), "customers.add_contract")


@login_required
def device_create(request, pk):
    return _child_form(request, pk, DeviceForm, workflow.add_device, _("登记设备"), "customers.add_device")


@login_required
@require_POST
def note_create(request, pk):
    customer = selectors.customer_for(request.user, pk)
    return act(request, workflow.add_note, customer, form=NoteForm(request.POST), then=customer)


@login_required
@require_POST
def customer_status(request, pk, action):
    customer = selectors.customer_for(request.user, pk)
    move = {"close": workflow.close_customer, "reopen": workflow.reopen_customer}.get(action)
    if move is None:
        raise PermissionDenied
    return act(
        request,
        move,
        customer,
        form=ReasonForm(request.POST),
        done=STATUS_SAID[action] % {"c": customer.name},
        then=customer,
    )


@login_required
def duplicates(request):
    """As-you-type duplicate hint on the create form (htmx)."""
    if not request.user.has_perm("customers.add_customer"):
        raise PermissionDenied
    found = workflow.find_duplicates(request.GET.get("name", ""), request.GET.get("short_name", ""))
    return render(request, "customers/_duplicates.html", {"candidates": found})


@login_required
def regions(request):
    """Children of a region for the cascading 省/市/区 selects."""
    rows = Region.objects.filter(parent_id=request.GET.get("parent") or None).values_list("code", "name")
    return JsonResponse({"results": [{"code": c, "name": n} for c, n in rows]})


# --- Excel (CRM-6) -------------------------------------------------------------------------


@login_required
@permission_required("customers.export_customers", raise_exception=True)
def export(request):
    qs = selectors.customers_for(request.user, **_filters(request))
    content = excel.export_customers(qs, user=request.user)
    response = HttpResponse(content, content_type=excel.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{excel.EXPORT_FILENAME}"'
    return response


@login_required
@permission_required("customers.import_customers", raise_exception=True)
def import_template(request):
    response = HttpResponse(excel.template(), content_type=excel.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{excel.TEMPLATE_FILENAME}"'
    return response


@login_required
@permission_required("customers.import_customers", raise_exception=True)
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)

    def page(exc=None):
        jobs = ImportJob.objects.filter(created_by=request.user).order_by("-created_at")[:10]
        return render(request, "customers/import_form.html", {"form": form, "jobs": jobs})

    if request.method != "POST":
        return page()
    return act(
        request,
        excel.start_import,
        form=form,
        then=lambda job: reverse("customers:import_status", args=[job.pk]),
        again=page,
    )


@login_required
@permission_required("customers.import_customers", raise_exception=True)
def import_status(request, pk):
    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    template = "customers/_import_progress.html" if request.htmx else "customers/import_status.html"
    return render(request, template, {"job": job})
