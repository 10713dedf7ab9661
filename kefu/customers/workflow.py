"""State changes of the customer archive. Each is one transaction with its audit events.

Archive edits are recorded field by field (who, when, old → new): one audit event per
changed field, plus the django-simple-history row of the record (CRM-1, FV-3, QS-1).
"""

import re
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import REASON_REQUIRED, Conflict, Invalid
from kefu.core.permissions import require
from kefu.customers import names, timeline
from kefu.customers.models import Contact, Contract, Customer, Device, TimelineEntry
from kefu.org import roles
from kefu.org.models import User

NAME_REQUIRED = _("请填写客户全称。")
DUPLICATE_SUSPECTED = _("可能与已有客户重复，请核对候选客户；确认不是同一客户后再创建。")
FIELD_CHANGED_MEANWHILE = _("“%(label)s”已被他人修改为“%(value)s”，请刷新后重试。")
MOBILE_INVALID = _("手机号码格式有误，应为 11 位数字，如 13812345678。")
CONTACT_NAME_REQUIRED = _("请填写联系人姓名。")
PERIOD_REVERSED = _("服务结束日期不能早于开始日期。")
CONTRACT_NUMBER_TAKEN = _("合同编号已存在：%(number)s")
SERIAL_TAKEN = _("整机条码已存在：%(serial)s")
NOTE_REQUIRED = _("请填写备注内容。")
NOT_A_CUSTOMER_USER = _("该账号不是客户角色，不能作为客户门户账号。")
STATUS_MOVE_NOT_ALLOWED = _("客户状态不能从“%(before)s”变为“%(after)s”。")

verbs.register(
    "customers",
    correct=_("首访更正"),
    close=_("停止合作"),
    reopen=_("恢复合作"),
    set_main_contact=_("设为主要联系人"),
    link_portal_user=_("绑定门户账号"),
)

# The explicit table of customer status moves.
MACHINE = states.Machine(
    Customer,
    moves={Customer.Status.ACTIVE: {Customer.Status.CLOSED}, Customer.Status.CLOSED: {Customer.Status.ACTIVE}},
    colours={Customer.Status.ACTIVE: "green", Customer.Status.CLOSED: "dark"},
    not_allowed=STATUS_MOVE_NOT_ALLOWED,
)

CUSTOMER_FIELDS = (
    "name",
    "short_name",
    "province",
    "city",
    "district",
    "address",
    "industry",
    "website",
    "business",
    "level",
    "owner",
    "note",
)
CONTACT_FIELDS = (
    "name",
    "title",
    "phone",
    "mobile",
    "email",
    "qq",
    "wechat",
    "in_marketing_qq",
    "in_wechat_service",
)
CONTRACT_FIELDS = (
    "signed_on",
    "products",
    "software_version",
    "modules",
    "dongle_no",
    "service_start",
    "service_end",
    "service_terms",
    "amount",
)
DEVICE_FIELDS = (
    "contract",
    "model",
    "serial_barcode",
    "purchase_date",
    "invoice_no",
    "warranty_card_no",
    "factory_date",
)

_MOBILE = re.compile(r"^1\d{10}$")


class DuplicateSuspected(Conflict):
    """Creating this customer needs an explicit confirmation: `candidates` look the same."""

    code = "duplicate"
    default_message = DUPLICATE_SUSPECTED
    asks_confirmation = True

    def __init__(self, candidates: list[Customer]):
        super().__init__(DUPLICATE_SUSPECTED, field="name")
        self.candidates = candidates


def find_duplicates(name: str, short_name: str = "", *, exclude: int | None = None, limit: int = 10) -> list[Customer]:
    """Customers whose full or short name has the same key as `name` or `short_name` (CRM-1)."""
    keys = {k for k in (names.name_key(name), names.name_key(short_name)) if k}
    if not keys:
        return []
    qs = Customer.objects.filter(models.Q(name_key__in=keys) | models.Q(short_key__in=keys))
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.select_related("owner", "province", "city").order_by("pk")[:limit])


def _clean_mobile(value: str) -> str:
    text = re.sub(r"[\s-]", "", str(value or ""))
    if text.startswith("+86"):
        text = text[3:]
    if text and not _MOBILE.match(text):
        raise Invalid(MOBILE_INVALID, field="mobile")
    return text


def _display(obj: models.Model, field_name: str, value: Any) -> str:
    field = obj._meta.get_field(field_name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _current(obj: models.Model, field_name: str) -> Any:
    return getattr(obj, field_name)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, models.Model) or isinstance(b, models.Model):
        return getattr(a, "pk", a) == getattr(b, "pk", b)
    return (a or "") == (b or "") if isinstance(a, str) or isinstance(b, str) else a == b


def _validate(obj: models.Model, fields: list[str]) -> None:
    exclude = [f.name for f in obj._meta.fields if f.name not in fields]
    try:
        obj.clean_fields(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid(messages[0], field=field) from None


def _save_with_history(obj: models.Model, *, by, now: datetime, update_fields=None) -> None:
    obj._history_user = by
    obj._history_date = now
    obj.save(update_fields=update_fields)


def apply_changes(
    obj: models.Model,
    allowed: tuple[str, ...],
    changes: dict[str, Any],
    *,
    by: User,
    now: datetime,
    expected: dict[str, Any] | None = None,
    verb: str = "update",
    source: str = "",
    check=None,
) -> list[str]:
    """Change fields of a locked archive record and audit each change; returns the changed names.

    `expected` holds the values the user saw: if the record has changed since, the edit is
    refused instead of overwriting someone else's correction (QS-3, no lost update).
    """
    changed = []
    befores = {}
    for name, value in changes.items():
        if name not in allowed:
            continue
        current = _current(obj, name)
        if expected and name in expected and not _same(current, expected[name]):
            label = obj._meta.get_field(name).verbose_name
            raise Conflict(FIELD_CHANGED_MEANWHILE % {"label": label, "value": _display(obj, name, current)})
        if _same(current, value):
            continue
        befores[name] = current
        setattr(obj, name, value)
        changed.append(name)
    if not changed:
        return []
    _validate(obj, changed)
    if check is not None:  # rules across fields, before the database's own constraints see the row
        check(obj)
    _save_with_history(obj, by=by, now=now)
    for name in changed:
        field = obj._meta.get_field(name)
        record(
            obj,
            verb,
            by=by,
            at=now,
            before=_display(obj, name, befores[name]),
            after=_display(obj, name, getattr(obj, name)),
            data={"field": name, "label": str(field.verbose_name), **({"source": source} if source else {})},
        )
    return changed


def _update_locked(
    obj: models.Model, allowed: tuple[str, ...], changes: dict[str, Any], *, check=None, **kwargs
) -> tuple[models.Model, list[str]]:
    """Lock the row, apply and audit the changes (apply_changes), run `check` on the result,
    all in one transaction; refreshes `obj`. Returns the locked copy and the changed names."""
    with transaction.atomic():
        locked = type(obj).objects.select_for_update().get(pk=obj.pk)
        changed = apply_changes(locked, allowed, changes, check=check, **kwargs)
    obj.refresh_from_db()
    return locked, changed


OWNER_ROLES = (roles.CUSTOMER_REP, roles.SALES, roles.DEPT_HEAD, roles.SERVICE_MANAGER)
OWNER_INVALID = _("客户负责人须是在职的公司员工（客户代表、业务人员或其主管）。")


def _check_owner(owner) -> None:
    """A customer's owner is a person of the company who looks after customers (CRM-1): never a
    customer's own portal login, a station's staff or someone who has left."""
    if owner is None:
        return
    if not owner.is_active or owner.is_external or not (owner.is_superuser or owner.has_role(*OWNER_ROLES)):
        raise Invalid(OWNER_INVALID, field="owner")


def create_customer(
    *,
    data: dict[str, Any],
    contacts: list[dict[str, Any]] | None = None,
    by: User,
    now: datetime,
    confirm_duplicate: bool = False,
) -> Customer:
    """Open a customer archive with its contacts (CRM-1, CRM-2); a likely duplicate needs confirmation."""
    require(by, "customers.add_customer")
    name = (data.get("name") or "").strip()
    if not name:
        raise Invalid(NAME_REQUIRED, field="name")
    candidates = find_duplicates(name, data.get("short_name", ""))
    if candidates and not confirm_duplicate:
        raise DuplicateSuspected(candidates)
    values = {k: v for k, v in data.items() if k in CUSTOMER_FIELDS}
    values["name"] = name
    _check_owner(values.get("owner"))
    with transaction.atomic():
        customer = Customer(created_at=now, updated_at=now, created_by=by, **values)
        _validate(customer, list(values))
        _save_with_history(customer, by=by, now=now)
        record(
            customer,
            "create",
            by=by,
            at=now,
            after=customer.get_level_display(),
            data={"duplicates_confirmed": [c.pk for c in candidates]} if candidates else None,
        )
        contacts = list(contacts or [])
        if contacts and not any(c.get("is_main") for c in contacts):
            contacts[0] = {**contacts[0], "is_main": True}
        for contact in contacts:
            _create_contact(customer, contact, by=by, now=now)
        timeline.add(customer, "archive", title=_("建立客户档案"), at=now, by=by, subject=customer)
    return customer


def _create_contact(customer: Customer, data: dict[str, Any], *, by, now: datetime) -> Contact:
    values = {k: v for k, v in data.items() if k in (*CONTACT_FIELDS, "is_main")}
    values["name"] = (values.get("name") or "").strip()
    if not values["name"]:
        raise Invalid(CONTACT_NAME_REQUIRED, field="name")
    values["mobile"] = _clean_mobile(values.get("mobile", ""))
    contact = Contact(customer=customer, **values)
    _validate(contact, list(values))
    if contact.is_main:
        Contact.objects.filter(customer=customer, is_main=True).update(is_main=False)
    _save_with_history(contact, by=by, now=now)
    record(contact, "create", by=by, at=now, after=contact.name, data={"customer": customer.pk})
    return contact


def update_customer(customer: Customer, changes: dict[str, Any], *, by: User, now: datetime, **kwargs) -> list[str]:
    """Edit the archive; every changed field is audited with its old and new value.

    `expected` (the values the user saw), `verb` and `source` as in apply_changes."""
    require(by, "customers.change_customer", customer)
    if "name" in changes and not (changes["name"] or "").strip():
        raise Invalid(NAME_REQUIRED, field="name")
    if "owner" in changes:
        _check_owner(changes["owner"])
    with transaction.atomic():
        changed = _update_locked(customer, CUSTOMER_FIELDS, changes, by=by, now=now, **kwargs)[1]
        if changed:
            Customer.objects.filter(pk=customer.pk).update(updated_at=now)
            customer.updated_at = now
    return changed


def add_contact(customer: Customer, data: dict[str, Any], *, by: User, now: datetime) -> Contact:
    require(by, "customers.change_customer", customer)
    with transaction.atomic():
        return _create_contact(customer, data, by=by, now=now)


def update_contact(contact: Contact, changes: dict[str, Any], *, by: User, now: datetime, **kwargs) -> list[str]:
    require(by, "customers.change_customer", contact.customer)
    if "mobile" in changes:
        changes = {**changes, "mobile": _clean_mobile(changes["mobile"])}
    if "name" in changes and not (changes["name"] or "").strip():
        raise Invalid(CONTACT_NAME_REQUIRED, field="name")
    return _update_locked(contact, CONTACT_FIELDS, changes, by=by, now=now, **kwargs)[1]


def set_main_contact(contact: Contact, *, by: User, now: datetime) -> Contact:
    """Make `contact` the one main contact of its customer (CRM-2)."""
    require(by, "customers.change_customer", contact.customer)
    with transaction.atomic():
        previous = Contact.objects.select_for_update().filter(customer_id=contact.customer_id, is_main=True).first()
        if previous and previous.pk == contact.pk:
            return contact
        Contact.objects.filter(customer_id=contact.customer_id, is_main=True).update(is_main=False)
        Contact.objects.filter(pk=contact.pk).update(is_main=True)
        record(contact, "set_main_contact", by=by, at=now, before=previous.name if previous else "", after=contact.name)
    contact.refresh_from_db()
    return contact


def link_portal_user(contact: Contact, user, *, by: User, now: datetime) -> Contact:
    """Let a `customer` login see its own organisation through this contact."""
    require(by, "customers.change_customer", contact.customer)
    if not user.has_role("customer"):
        raise Invalid(NOT_A_CUSTOMER_USER, field="portal_user")
    with transaction.atomic():
        Contact.objects.filter(portal_user=user).exclude(pk=contact.pk).update(portal_user=None)
        Contact.objects.filter(pk=contact.pk).update(portal_user=user)
        record(contact, "link_portal_user", by=by, at=now, after=user.username)
    contact.refresh_from_db()
    return contact


def create_contract(customer: Customer, data: dict[str, Any], *, by: User, now: datetime) -> Contract:
    """Record a signed contract (CRM-3)."""
    require(by, "customers.add_contract", customer)
    values = {k: v for k, v in data.items() if k in (*CONTRACT_FIELDS, "number", "sales")}
    if values.get("service_start") and values.get("service_end") and values["service_end"] < values["service_start"]:
        raise Invalid(PERIOD_REVERSED, field="service_end")
    with transaction.atomic():
        contract = Contract(customer=customer, created_at=now, **values)
        contract.sales = contract.sales if contract.sales_id else by
        _validate(contract, [*values, "number"])
        try:
            with transaction.atomic():
                _save_with_history(contract, by=by, now=now)
        except IntegrityError:
            raise Invalid(CONTRACT_NUMBER_TAKEN % {"number": contract.number}, field="number") from None
        record(contract, "create", by=by, at=now, after=contract.number, data={"customer": customer.pk})
        timeline.add(
            customer,
            "contract",
            title=_("签订合同 %(number)s") % {"number": contract.number},
            body=contract.products,
            at=now,
            by=by,
            subject=contract,
        )
    return contract


def _period_in_order(contract: Contract) -> None:
    if contract.service_start and contract.service_end and contract.service_end < contract.service_start:
        raise Invalid(PERIOD_REVERSED, field="service_end")


def update_contract(contract: Contract, changes: dict[str, Any], *, by: User, now: datetime, **kwargs) -> list[str]:
    require(by, "customers.change_contract", contract.customer)
    return _update_locked(contract, CONTRACT_FIELDS, changes, check=_period_in_order, by=by, now=now, **kwargs)[1]


def add_device(customer: Customer, data: dict[str, Any], *, by: User, now: datetime) -> Device:
    """Register an installed unit (CRM-4)."""
    require(by, "customers.add_device", customer)
    values = {k: v for k, v in data.items() if k in DEVICE_FIELDS}
    with transaction.atomic():
        device = Device(customer=customer, **values)
        _validate(device, [k for k in values if k != "contract"])
        try:
            with transaction.atomic():
                device.save()
        except IntegrityError:
            raise Invalid(SERIAL_TAKEN % {"serial": device.serial_barcode}, field="serial_barcode") from None
        record(device, "create", by=by, at=now, after=str(device), data={"customer": customer.pk})
    return device


def update_device(device: Device, changes: dict[str, Any], *, by: User, now: datetime, **kwargs) -> list[str]:
    """Correct an installed unit's record (CRM-4), each change audited; the barcode stays unique."""
    require(by, "customers.add_device", device.customer)
    try:
        with transaction.atomic():
            return _update_locked(device, DEVICE_FIELDS, changes, by=by, now=now, **kwargs)[1]
    except IntegrityError:
        raise Invalid(SERIAL_TAKEN % {"serial": changes.get("serial_barcode", "")}, field="serial_barcode") from None


def add_note(customer: Customer, text: str, *, by: User, now: datetime) -> TimelineEntry:
    """A free note on the customer care column (CRM-5)."""
    require(by, "customers.add_note", customer)
    text = (text or "").strip()
    if not text:
        raise Invalid(NOTE_REQUIRED, field="text")
    with transaction.atomic():
        return timeline.add(customer, "note", title=text.splitlines()[0][:80], body=text, at=now, by=by)


def _change_status(customer: Customer, target: str, *, by, now: datetime, reason: str, verb: str) -> Customer:
    require(by, "customers.change_customer_status", customer)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        states.move(customer, target, by=by, now=now, verb=verb, data={"reason": reason})
        timeline.add(customer, "archive", title=customer.get_status_display(), body=reason, at=now, by=by)
    return customer


def close_customer(customer: Customer, *, by: User, now: datetime, reason: str) -> Customer:
    return _change_status(customer, Customer.Status.CLOSED, by=by, now=now, reason=reason, verb="close")


def reopen_customer(customer: Customer, *, by: User, now: datetime, reason: str) -> Customer:
    return _change_status(customer, Customer.Status.ACTIVE, by=by, now=now, reason=reason, verb="reopen")
