"""The customer list, declared once for its page and its Excel export (CRM-2, CRM-6, RPT-4).

The page shows the archive's columns; the export writes the import template's columns (so an
exported file can be edited and imported again), with the main contact's phones masked for
roles without the personal-data permission (QS-6).
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kefu.core.tables import Column, Table
from kefu.customers import excel, selectors
from kefu.customers.models import Contact, Customer
from kefu.org.models import User

FILTERS = ("q", "level", "owner", "province", "city", "status")
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
LEVEL_COLOURS = {Customer.Level.VIP: "red", Customer.Level.KEY: "orange"}


def filters_of(params) -> dict[str, str]:
    return {k: params.get(k, "").strip() for k in FILTERS}


def _level(c) -> str:
    return format_html('<span class="badge bg-{}-lt">{}</span>', LEVEL_COLOURS.get(c.level, "secondary"), c.level_label)


def _main(c, attr: str):
    main = c.main_contacts[0] if c.main_contacts else None
    return getattr(main, attr) if main else ""


def _export_columns() -> tuple[Column, ...]:
    """The import template's columns, in its order (excel.CUSTOMER_COLUMNS)."""
    values = {
        "level": lambda c: c.level_label,
        "province": "province.name",
        "city": "city.name",
        "district": "district.name",
        "owner": "owner.username",
    }
    personal = {"address": "address", "contact_mobile": "phone", "contact_phone": "phone"}
    columns = []
    for header, attr, _length, _required in excel.CUSTOMER_COLUMNS:
        if attr.startswith("contact_"):
            value = (lambda field: lambda c: _main(c, field))(attr.removeprefix("contact_"))
        else:
            value = values.get(attr, attr)
        columns.append(Column(attr, header, value=value, personal=personal.get(attr), page=False))
    return tuple(columns)


class CustomerTable(Table):
    name = "customers:list"
    title = _("客户档案")
    sheet = excel.SHEET_CUSTOMERS
    permission = "customers.view_customer_list"
    export_permission = "customers.export_customers"
    testid = "customer-table"
    empty = _("没有符合条件的客户")
    ids_first_params = ("q",)
    columns = (
        Column("name", _("客户全称"), link=lambda c: reverse("customers:detail", args=[c.pk]), export=False),
        Column("short_name", _("简称"), export=False),
        Column("level", _("级别"), cell=_level, export=False),
        Column("region", _("地区"), value="region_label", export=False),
        Column("address", _("详细地址"), personal="address", export=False),
        Column("owner", _("客户代表"), value="owner_name", export=False),
        Column("status", _("状态"), value="status_label", export=False),
        *_export_columns(),
    )

    def filename(self) -> str:
        return excel.EXPORT_FILENAME

    def rows(self, user, params):
        return selectors.customers_for(user, **filters_of(params), with_owner=False)

    def page_rows(self, rows):
        return rows.only(*LIST_FIELDS)

    def export_rows(self, rows):
        mains = Prefetch("contacts", queryset=Contact.objects.filter(is_main=True), to_attr="main_contacts")
        return rows.select_related("owner").prefetch_related(mains)

    @staticmethod
    def refetch(ids):
        # Deep pages and searches: the page's ids first, then those rows with their regions.
        return Customer.all_objects.filter(pk__in=ids).select_related(*SELECTED).only(*LIST_FIELDS)

    def decorate(self, rows, user, owners=()) -> None:
        # get_FOO_display() translates every choice on each call; one label per row here.
        levels = {v: str(label) for v, label in Customer.Level.choices}
        statuses = {v: str(label) for v, label in Customer.Status.choices}
        # Owners: the page passes the filter's representatives; only others are read.
        names = {u.pk: u.display_name for u in owners}
        missing = {c.owner_id for c in rows if c.owner_id and c.owner_id not in names}
        if missing:
            names.update({u.pk: u.display_name for u in User.objects.filter(pk__in=missing)})
        for c in rows:
            c.owner_name = names.get(c.owner_id, "")
            c.level_label, c.status_label = levels.get(c.level, c.level), statuses.get(c.status, c.status)


CUSTOMERS = CustomerTable()
