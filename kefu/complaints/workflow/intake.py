"""Intake (CP-1) and the validity review (CP-2, CP-4, CP-9 routing)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.complaints.models import Complaint
from kefu.complaints.workflow._common import (
    CHANNEL_INVALID,
    CONTACT,
    CONTENT_REQUIRED,
    CRISIS_FIX,
    CRISIS_LEVEL_INVALID,
    DEPARTMENT_REQUIRED,
    EXPLANATION_REQUIRED,
    GM_CONTACT,
    NO_STATION,
    TITLE_REQUIRED,
    TYPE_INVALID,
    VENDOR_REF_REQUIRED,
    S,
    clean,
    notify,
    on_timeline,
)
from kefu.core import states
from kefu.core.errors import Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.customers.models import Customer
from kefu.deadlines import clocks
from kefu.org import roles
from kefu.org.models import Department, Station, User
from kefu.org.selectors import active_with_role

INTAKE_FIELDS = (
    "contact_name",
    "contact_phone",
    "product",
    "happened_at",
    "served_by",
    "customer_asks",
    "vendor_ref",
    "vendor_contact",
    "vendor_email",
)


# A review of a complaint someone has reviewed already is a race lost (409), whatever it chose.
REVIEWED = tuple(s for s in S.values if s != S.NEW)


def _number(complaint: Complaint) -> str:
    return f"CP{timezone.localtime(complaint.received_at):%y%m%d}{complaint.pk:06d}"


def create_complaint(
    customer: Customer,
    *,
    title: str,
    content: str,
    by: User,
    now: datetime,
    type: str = Complaint.Type.OTHER,
    channel: str = Complaint.Channel.HOTLINE,
    source: str = Complaint.Source.CUSTOMER,
    subject=None,
    station: Station | None = None,
    **details,
) -> Complaint:
    """Register a complaint (CP-1, 《用户投诉登记表》): from the customer directly, from a
    station's report of a dissatisfied customer (seed 003 3.5.3), or transferred from the vendor
    (厂商转来, with the vendor's reference number and contact). The supervisor is told."""
    require(by, "complaints.add")
    return _create(
        customer,
        title=title,
        content=content,
        type=type,
        channel=channel,
        source=source,
        subject=subject,
        station=station,
        by=by,
        now=now,
        **details,
    )


def _create(customer, *, title, content, type, channel, source, subject, station, by, now, **details) -> Complaint:
    title = text(Complaint, "title", title)
    content = text(Complaint, "content", content)
    if not title:
        raise Invalid(TITLE_REQUIRED, field="title")
    if not content:
        raise Invalid(CONTENT_REQUIRED, field="content")
    if type not in Complaint.Type.values:
        raise Invalid(TYPE_INVALID, field="type")
    if by is not None and getattr(by, "is_station_user", False):
        channel, station = Complaint.Channel.STATION, by.station
    if source == Complaint.Source.VENDOR:
        channel = Complaint.Channel.VENDOR
    if channel not in Complaint.Channel.values or source not in Complaint.Source.values:
        raise Invalid(CHANNEL_INVALID, field="channel")
    values = {k: details[k] for k in INTAKE_FIELDS if k in details and details[k] is not None}
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = text(Complaint, key, value)
    if source == Complaint.Source.VENDOR and not (values.get("vendor_ref") and values.get("vendor_contact")):
        raise Invalid(VENDOR_REF_REQUIRED, field="vendor_ref")
    actor = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        complaint = Complaint(
            customer=customer,
            title=title,
            content=content,
            type=type,
            channel=channel,
            source=source,
            station=station,
            received_at=now,
            received_by=actor,
            updated_at=now,
            **values,
        )
        if subject is not None:
            complaint.subject = subject
            complaint.subject_label = str(subject)[:200]
        complaint.save(force_insert=True)
        complaint.number = _number(complaint)
        Complaint.objects.filter(pk=complaint.pk).update(number=complaint.number)
        record(complaint, "create", by=actor, at=now, after=complaint.get_status_display())
        on_timeline(complaint, _("客户投诉：%(t)s") % {"t": title}, now=now, by=actor, body=content)
        notify(
            "complaint.received",
            complaint,
            active_with_role(roles.QUALITY),
            _("新的客户投诉：%(c)s %(t)s") % {"c": customer.name, "t": title},
            now=now,
        )
    return complaint


def open_from_request(req, *, by: User | None, now: datetime) -> Complaint:
    """The service desk's hand-off (servicedesk.handoffs.COMPLAINT): a complaint-type request
    opens a complaint, inside the request's intake transaction (CP-1). Runs after the desk's own
    permission check (a customer's portal submission included); once per request."""
    existing = Complaint.objects.filter(
        subject_type__app_label="servicedesk", subject_type__model="servicerequest", subject_id=str(req.pk)
    ).first()
    if existing is not None:
        return existing
    return _create(
        req.customer,
        title=req.title or req.phenomenon[:200],
        content=req.phenomenon,
        type=Complaint.Type.OTHER,
        channel=Complaint.Channel.PORTAL if req.channel == "portal" else Complaint.Channel.REQUEST,
        source=Complaint.Source.CUSTOMER,
        subject=req,
        station=None,
        by=by,
        now=now,
        contact_name=req.caller,
        contact_phone=req.caller_phone,
        product=req.product,
    )


def station_for(customer: Customer) -> Station | None:
    """The station serving the customer's region: its district, else its city, else its province."""
    for region_id in (customer.district_id, customer.city_id, customer.province_id):
        if region_id:
            station = Station.objects.filter(regions=region_id).order_by("pk").first()
            if station is not None:
                return station
    return None


def station_master(station: Station) -> User | None:
    return (
        User.objects.filter(is_active=True, station=station, groups__name=roles.STATION_MASTER).order_by("pk").first()
    )


def _flag_general_manager(complaint: Complaint, *, by: User, now: datetime) -> None:
    """A valid complaint of a key or VIP customer: the general manager contacts the customer (CP-4)."""
    if complaint.customer.level not in (Customer.Level.KEY, Customer.Level.VIP):
        return
    gm = next(iter(active_with_role(roles.GENERAL_MANAGER)), None)
    Complaint.objects.filter(pk=complaint.pk).update(gm_flag=True)
    complaint.gm_flag = True
    clocks.start(complaint, GM_CONTACT, owner=gm, now=now, by=by)
    notify(
        "complaint.gm",
        complaint,
        active_with_role(roles.GENERAL_MANAGER),
        _("重点客户投诉，请联系客户：%(c)s %(t)s") % {"c": complaint.customer.name, "t": complaint.title},
        now=now,
    )


def accept(
    complaint: Complaint,
    *,
    by: User,
    now: datetime,
    department: Department | None = None,
    crisis_level: str = "",
    type: str | None = None,
    happened_at: datetime | None = None,
    served_by: str | None = None,
    customer_asks: str | None = None,
    media_exposure: bool = False,
    note: str = "",
) -> Complaint:
    """The supervisor finds the complaint valid (CP-2): recorded in detail (what, when, who served,
    what the customer asks for) and handed to the responsible department, whose head is told and
    must have the customer contacted within 3 hours (CP-3). In the station network, a crisis
    level sends it to the station of the customer's region instead, the customer-service manager
    and the supervisor in copy (CP-9). A key or VIP customer flags the general manager (CP-4)."""
    require(by, "complaints.review", complaint)
    if crisis_level and crisis_level not in Complaint.Crisis.values:
        raise Invalid(CRISIS_LEVEL_INVALID, field="crisis_level")
    if type is not None and type not in Complaint.Type.values:
        raise Invalid(TYPE_INVALID, field="type")
    details = {
        "valid": True,
        "reviewed_by": by,
        "reviewed_at": now,
        "explanation": clean(note),
        "media_exposure": bool(media_exposure),
    }
    if type:
        details["type"] = type
    if happened_at is not None:
        details["happened_at"] = happened_at
    if served_by is not None:
        details["served_by"] = text(Complaint, "served_by", served_by)
    if customer_asks is not None:
        details["customer_asks"] = text(Complaint, "customer_asks", customer_asks)
    with transaction.atomic():
        if crisis_level:
            if media_exposure:
                crisis_level = Complaint.Crisis.SERIOUS
            station = complaint.station or station_for(complaint.customer)
            if station is None:
                raise Invalid(NO_STATION, field="crisis_level")
            states.move(
                complaint,
                S.AT_STATION,
                by=by,
                now=now,
                verb="send_to_station",
                conflict_from=REVIEWED,
                data={"station": station.pk, "crisis": crisis_level},
                station=station,
                crisis_level=crisis_level,
                department=department,
                **details,
            )
            master = station_master(station)
            clocks.start(complaint, CRISIS_FIX, owner=master, now=now, by=by)
            station_people = User.objects.filter(is_active=True, station=station).order_by("pk")
            copy = active_with_role(roles.SERVICE_MANAGER) + active_with_role(roles.QUALITY)
            notify(
                "complaint.crisis",
                complaint,
                [*station_people, *copy],
                _("客户危机（%(l)s）：%(c)s %(t)s")
                % {"l": complaint.get_crisis_level_display(), "c": complaint.customer.name, "t": complaint.title},
                now=now,
            )
        else:
            if department is None:
                raise Invalid(DEPARTMENT_REQUIRED, field="department")
            states.move(
                complaint,
                S.ASSIGNED,
                by=by,
                now=now,
                verb="review_valid",
                conflict_from=REVIEWED,
                data={"department": department.pk},
                department=department,
                **details,
            )
            clocks.start(complaint, CONTACT, owner=department.head, now=now, by=by)
            notify(
                "complaint.assigned",
                complaint,
                [department.head],
                _("投诉转责任部门处理，请在 3 小时内联系客户：%(c)s %(t)s")
                % {"c": complaint.customer.name, "t": complaint.title},
                now=now,
            )
        _flag_general_manager(complaint, by=by, now=now)
        on_timeline(complaint, _("投诉成立，已转交处理"), now=now, by=by)
    return complaint


def archive_invalid(complaint: Complaint, *, explanation: str, by: User, now: datetime) -> Complaint:
    """Outside the contract's promised service (CP-2): the supervisor records the explanation
    given to the customer and archives it. It counts in no figure but stays searchable."""
    require(by, "complaints.review", complaint)
    explanation = text(Complaint, "explanation", explanation)
    if not explanation:
        raise Invalid(EXPLANATION_REQUIRED, field="explanation")
    with transaction.atomic():
        states.move(
            complaint,
            S.INVALID,
            by=by,
            now=now,
            verb="review_invalid",
            conflict_from=REVIEWED,
            valid=False,
            explanation=explanation,
            reviewed_by=by,
            reviewed_at=now,
            closed_at=now,
        )
        on_timeline(complaint, _("投诉不计为有效投诉，已向客户解释并归档"), now=now, by=by, body=explanation)
    return complaint
