"""Customer pages: list with filters and search, detail with the care column, create and edit."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core import exports
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
from kefu.customers.tables import CUSTOMERS, filters_of
from kefu.org.models import Region, User

SAVED = _("客户档案已更新。")
CHILD_SAVED = _("%(what)s：已保存。")
STATUS_SAID = {"close": _("已关闭客户档案：%(c)s。"), "reopen": _("已重新启用客户档案：%(c)s。")}


_PROVINCES: list[Region] = []


def provinces() -> list[Region]:
    """The 34 provinces for the filter: reference data, read once per process (once loaded)."""
    if not _PROVINCES:
        _PROVINCES.extend(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))
    return _PROVINCES


@login_required
@permission_required("customers.view_customer_list", raise_exception=True)
def customer_list(request):
    # The owner filter lists the representatives; the rows' owners mostly come from it.
    owners = list(User.objects.filter(groups__name="customer_rep", is_active=True).order_by("username"))
    listing = CUSTOMERS.listing(request, owners=owners)
    return render(
        request,
        "customers/customer_list.html",
        {
            "listing": listing,
            "filters": filters_of(request.GET),
            "levels": Customer.Level.choices,
            "statuses": Customer.Status.choices,
            "provinces": provinces(),
            "owners": owners,
            "show_personal": selectors.can_see_personal(request.user),
            "can_add": request.user.has_perm("customers.add_customer"),
            "can_import": request.user.has_perm("customers.import_customers"),
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
    return exports.respond(request, CUSTOMERS)


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
