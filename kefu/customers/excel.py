"""Excel import and export of customers and contacts (CRM-6).

Import is all-or-nothing: every row is checked first and the errors reported row by row in
Chinese (sheet, row, column, what is wrong); only a file without errors is written, in one
transaction. Large files run as a background job with a progress bar (10,000 rows).
Export writes the same columns, so an export can be edited and imported back; phones and
addresses are masked for roles without `customers.view_personal_data` (QS-6).
"""

import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.validators import EmailValidator
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from simple_history.utils import bulk_create_with_history

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.customers import names
from kefu.customers.masking import personal
from kefu.customers.models import Contact, Customer, ImportJob, TimelineEntry
from kefu.org.models import Region, User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "customer-import-template.xlsx"
EXPORT_FILENAME = "customers.xlsx"
SHEET_CUSTOMERS = "客户"
SHEET_CONTACTS = "联系人"
# Files up to this many rows are imported in the request; larger ones by a background job.
SYNC_LIMIT = 500
PROGRESS_EVERY = 500

NOT_AN_XLSX = _("无法读取该文件，请上传由模板填写的 .xlsx 文件。")
MISSING_SHEET = _("文件中没有“%(sheet)s”工作表，请使用导入模板。")
MISSING_COLUMN = _("缺少列“%(column)s”，请使用导入模板。")
REQUIRED = _("必填")
TOO_LONG = _("超过 %(n)s 个字符")
UNKNOWN_LEVEL = _("应为 普通、重点 或 VIP")
UNKNOWN_PROVINCE = _("未知的省份“%(name)s”")
UNKNOWN_CITY = _("“%(parent)s”下没有“%(name)s”")
UNKNOWN_OWNER = _("没有用户名为“%(name)s”的在职用户")
BAD_MOBILE = _("手机号码应为 11 位数字，如 13812345678")
BAD_EMAIL = _("邮箱格式有误")
DUPLICATE_IN_FILE = _("与第 %(row)s 行客户重复")
DUPLICATE_IN_ARCHIVE = _("与已有客户重复：%(name)s（编号 %(pk)s）")
UNKNOWN_CUSTOMER = _("客户“%(name)s”既不在本文件中，也不在客户档案中")
SECOND_MAIN = _("该客户已有主要联系人")
BAD_YES_NO = _("应为 是 或 否")
IMPORTED = _("Excel 导入客户档案")

verbs.register("customers", import_customers=_("导入客户"))

# (header, attribute, max length, required) — the order of the template and of the export.
CUSTOMER_COLUMNS = (
    ("客户全称", "name", 200, True),
    ("简称", "short_name", 60, False),
    ("客户级别", "level", 10, False),
    ("省", "province", 50, False),
    ("市", "city", 50, False),
    ("区/县", "district", 50, False),
    ("详细地址", "address", 300, False),
    ("行业", "industry", 50, False),
    ("公司网站", "website", 200, False),
    ("经营业务/产品", "business", 2000, False),
    ("客户代表（用户名）", "owner", 150, False),
    ("主要联系人", "contact_name", 50, False),
    ("职务", "contact_title", 50, False),
    ("手机", "contact_mobile", 20, False),
    ("电话", "contact_phone", 40, False),
    ("邮箱", "contact_email", 254, False),
    ("QQ", "contact_qq", 20, False),
    ("微信", "contact_wechat", 50, False),
)
CONTACT_COLUMNS = (
    ("客户全称", "customer", 200, True),
    ("姓名", "name", 50, True),
    ("职务", "title", 50, False),
    ("手机", "mobile", 20, False),
    ("电话", "phone", 40, False),
    ("邮箱", "email", 254, False),
    ("QQ", "qq", 20, False),
    ("微信", "wechat", 50, False),
    ("主要联系人", "is_main", 2, False),
)
LEVELS = {str(label): value for value, label in Customer.Level.choices} | {v: v for v in Customer.Level.values}
_MOBILE = re.compile(r"^1\d{10}$")
_email = EmailValidator()


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Parsed:
    customers: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# --- template and export --------------------------------------------------------------------


def _header(ws, columns) -> None:
    ws.append([c[0] + (" *" if c[3] else "") for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")


def template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_CUSTOMERS
    _header(ws, CUSTOMER_COLUMNS)
    ws.append(
        [
            "上海示例软件有限公司",
            "示例软件",
            "重点",
            "上海市",
            "市辖区",
            "浦东新区",
            "张江路 88 号",
            "软件",
            "www.example.com",
            "管理软件",
            "customer_rep",
            "王经理",
            "财务总监",
            "13812345678",
            "021-58880001",
            "wang@example.com",
            "123456",
            "wang_wx",
        ]
    )
    contacts = wb.create_sheet(SHEET_CONTACTS)
    _header(contacts, CONTACT_COLUMNS)
    contacts.append(["上海示例软件有限公司", "李会计", "会计", "13912345678", "", "li@example.com", "", "", "否"])
    notes = wb.create_sheet("说明")
    for line in (
        "带 * 的列必填；第 2 行是示例，导入前请删除或改为真实数据。",
        "客户级别：普通、重点 或 VIP（留空为普通）。",
        "省/市/区：按行政区划名称填写，如 上海市 / 市辖区 / 浦东新区。",
        "客户代表填写系统用户名。联系人工作表中的客户全称须在本文件或客户档案中。",
        "任何一行有错误时整个文件都不会导入；错误报告会列出工作表、行号、列名和原因。",
    ):
        notes.append([line])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_customers(qs, *, user) -> bytes:
    """The filtered list as .xlsx, with the template's columns; masked for roles without the permission."""
    allowed = user.has_perm("customers.view_personal_data")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_CUSTOMERS)
    ws.append([c[0] for c in CUSTOMER_COLUMNS])
    mains = Prefetch("contacts", queryset=Contact.objects.filter(is_main=True), to_attr="main_contacts")
    for c in (
        qs.select_related("owner", "province", "city", "district").prefetch_related(mains).iterator(chunk_size=2000)
    ):
        main = c.main_contacts[0] if c.main_contacts else None
        ws.append(
            [
                c.name,
                c.short_name,
                c.get_level_display(),
                c.province.name if c.province else "",
                c.city.name if c.city else "",
                c.district.name if c.district else "",
                personal(c.address, allowed=allowed, kind="address"),
                c.industry,
                c.website,
                c.business,
                c.owner.username if c.owner else "",
                main.name if main else "",
                main.title if main else "",
                personal(main.mobile, allowed=allowed) if main else "",
                personal(main.phone, allowed=allowed) if main else "",
                main.email if main else "",
                main.qq if main else "",
                main.wechat if main else "",
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- parsing and checking ---------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(ws, columns, sheet: str, problems: list[Problem]):
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    names_in_file = [_text(h).rstrip("* ").strip() for h in header]
    index = {}
    for title, attr, _n, _req in columns:
        if title not in names_in_file:
            problems.append(Problem(sheet, 1, title, str(MISSING_COLUMN % {"column": title})))
            return
        index[attr] = names_in_file.index(title)
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        yield number, {attr: _text(values[i]) if i < len(values) else "" for attr, i in index.items()}


class _Checker:
    def __init__(self):
        self.provinces = {r.name: r for r in Region.objects.filter(level=Region.Level.PROVINCE)}
        self.children: dict[tuple[str, str], Region] = {
            (r.parent_id, r.name): r for r in Region.objects.filter(level__gt=Region.Level.PROVINCE)
        }
        self.users = {u.username: u for u in User.objects.filter(is_active=True)}

    def region(self, row, problems, sheet, number):
        province = city = district = None
        if row["province"]:
            province = self.provinces.get(row["province"])
            if province is None:
                problems.append(Problem(sheet, number, "省", str(UNKNOWN_PROVINCE % {"name": row["province"]})))
                return None, None, None
        if row["city"]:
            city = self.children.get((province.pk if province else None, row["city"]))
            if city is None:
                parent = row["province"] or "—"
                problems.append(
                    Problem(sheet, number, "市", str(UNKNOWN_CITY % {"parent": parent, "name": row["city"]}))
                )
                return province, None, None
        if row["district"]:
            district = self.children.get((city.pk if city else None, row["district"]))
            if district is None:
                parent = row["city"] or "—"
                problems.append(
                    Problem(sheet, number, "区/县", str(UNKNOWN_CITY % {"parent": parent, "name": row["district"]}))
                )
        return province, city, district


def _check_contact_fields(row, prefix: str, problems, sheet, number, titles) -> None:
    mobile = re.sub(r"[\s-]", "", row[f"{prefix}mobile"])
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    row[f"{prefix}mobile"] = mobile
    if mobile and not _MOBILE.match(mobile):
        problems.append(Problem(sheet, number, titles[f"{prefix}mobile"], str(BAD_MOBILE)))
    email = row[f"{prefix}email"]
    if email:
        try:
            _email(email)
        except Exception:
            problems.append(Problem(sheet, number, titles[f"{prefix}email"], str(BAD_EMAIL)))


def parse(data: bytes, *, progress=None) -> Parsed:
    """Read and check every row; nothing is written here."""
    out = Parsed()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise Invalid(NOT_AN_XLSX, field="file") from None
    if SHEET_CUSTOMERS not in wb.sheetnames:
        raise Invalid(MISSING_SHEET % {"sheet": SHEET_CUSTOMERS}, field="file")
    checker = _Checker()
    problems = out.problems
    titles_c = {attr: title for title, attr, _n, _r in CUSTOMER_COLUMNS}
    titles_p = {attr: title for title, attr, _n, _r in CONTACT_COLUMNS}
    seen: dict[str, int] = {}
    rows = _rows(wb[SHEET_CUSTOMERS], CUSTOMER_COLUMNS, SHEET_CUSTOMERS, problems)
    for done, (number, row) in enumerate(rows, start=1):
        before = len(problems)
        for title, attr, limit, required in CUSTOMER_COLUMNS:
            if required and not row[attr]:
                problems.append(Problem(SHEET_CUSTOMERS, number, title, str(REQUIRED)))
            elif len(row[attr]) > limit:
                problems.append(Problem(SHEET_CUSTOMERS, number, title, str(TOO_LONG % {"n": limit})))
        level = LEVELS.get(row["level"] or "普通")
        if level is None:
            problems.append(Problem(SHEET_CUSTOMERS, number, titles_c["level"], str(UNKNOWN_LEVEL)))
        province, city, district = checker.region(row, problems, SHEET_CUSTOMERS, number)
        owner = None
        if row["owner"]:
            owner = checker.users.get(row["owner"])
            if owner is None:
                problems.append(
                    Problem(SHEET_CUSTOMERS, number, titles_c["owner"], str(UNKNOWN_OWNER % {"name": row["owner"]}))
                )
        _check_contact_fields(row, "contact_", problems, SHEET_CUSTOMERS, number, titles_c)
        key = names.name_key(row["name"])
        if key and key in seen:
            problems.append(
                Problem(SHEET_CUSTOMERS, number, titles_c["name"], str(DUPLICATE_IN_FILE % {"row": seen[key]}))
            )
        elif key:
            seen[key] = number
        if len(problems) == before:
            out.customers.append(
                {
                    "row": number,
                    "key": key,
                    "values": {
                        "name": row["name"],
                        "short_name": row["short_name"],
                        "level": level,
                        "province": province,
                        "city": city,
                        "district": district,
                        "address": row["address"],
                        "industry": row["industry"],
                        "website": row["website"],
                        "business": row["business"],
                        "owner": owner,
                    },
                    "contact": {
                        "name": row["contact_name"],
                        "title": row["contact_title"],
                        "mobile": row["contact_mobile"],
                        "phone": row["contact_phone"],
                        "email": row["contact_email"],
                        "qq": row["contact_qq"],
                        "wechat": row["contact_wechat"],
                    }
                    if row["contact_name"]
                    else None,
                }
            )
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
    # Names already in the archive: one query per 500 keys.
    keys = list(seen)
    existing: dict[str, Customer] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        for c in Customer.objects.filter(name_key__in=chunk).only("pk", "name", "name_key"):
            existing[c.name_key] = c
    for item in out.customers:
        hit = existing.get(item["key"])
        if hit is not None:
            problems.append(
                Problem(
                    SHEET_CUSTOMERS,
                    item["row"],
                    titles_c["name"],
                    str(DUPLICATE_IN_ARCHIVE % {"name": hit.name, "pk": hit.pk}),
                )
            )
    if SHEET_CONTACTS in wb.sheetnames:
        in_file_main = {item["key"] for item in out.customers if item["contact"]}
        contact_rows = list(_rows(wb[SHEET_CONTACTS], CONTACT_COLUMNS, SHEET_CONTACTS, problems))
        wanted = {names.name_key(r["customer"]) for _n, r in contact_rows} - set(seen)
        archive = {}
        for c in Customer.objects.filter(name_key__in=list(wanted)).only("pk", "name_key"):
            archive[c.name_key] = c
        archive_main = set(
            Contact.objects.filter(customer__in=archive.values(), is_main=True).values_list(
                "customer__name_key", flat=True
            )
        )
        for number, row in contact_rows:
            before = len(problems)
            for title, attr, limit, required in CONTACT_COLUMNS:
                if required and not row[attr]:
                    problems.append(Problem(SHEET_CONTACTS, number, title, str(REQUIRED)))
                elif len(row[attr]) > limit:
                    problems.append(Problem(SHEET_CONTACTS, number, title, str(TOO_LONG % {"n": limit})))
            _check_contact_fields(row, "", problems, SHEET_CONTACTS, number, titles_p)
            key = names.name_key(row["customer"])
            if row["customer"] and key not in seen and key not in archive:
                problems.append(
                    Problem(
                        SHEET_CONTACTS, number, titles_p["customer"], str(UNKNOWN_CUSTOMER % {"name": row["customer"]})
                    )
                )
            is_main = row["is_main"] in ("是", "Y", "y", "1")
            if row["is_main"] and row["is_main"] not in ("是", "否", "Y", "N", "y", "n", "1", "0"):
                problems.append(Problem(SHEET_CONTACTS, number, titles_p["is_main"], str(BAD_YES_NO)))
            if is_main and (key in in_file_main or key in archive_main):
                problems.append(Problem(SHEET_CONTACTS, number, titles_p["is_main"], str(SECOND_MAIN)))
            if is_main:
                in_file_main.add(key)
            if len(problems) == before:
                values = {a: row[a] for a in ("name", "title", "mobile", "phone", "email", "qq", "wechat")}
                out.contacts.append(
                    {"row": number, "key": key, "archive": archive.get(key), "is_main": is_main, "values": values}
                )
    problems.sort(key=lambda p: (p.sheet != SHEET_CUSTOMERS, p.row))
    return out


def write(parsed: Parsed, *, by: User, now: datetime, job: ImportJob) -> tuple[int, int]:
    """Create every customer and contact of a checked file in one transaction."""
    with transaction.atomic():
        customers = []
        for item in parsed.customers:
            c = Customer(created_at=now, updated_at=now, created_by=by, **item["values"])
            c.name_key = names.name_key(c.name)
            c.short_key = names.name_key(c.short_name)
            c.initials = names.initials(c.short_name or c.name_key)
            c.fill_search_tokens()
            c._history_date = now
            customers.append(c)
        created = bulk_create_with_history(customers, Customer, batch_size=1000, default_user=by, default_date=now)
        by_key = {item["key"]: c for item, c in zip(parsed.customers, created, strict=True)}
        contacts = []
        for item, customer in zip(parsed.customers, created, strict=True):
            if item["contact"]:
                contacts.append(Contact(customer=customer, is_main=True, **item["contact"]))
        for item in parsed.contacts:
            customer = by_key.get(item["key"]) or item["archive"]
            contacts.append(Contact(customer=customer, is_main=item["is_main"], **item["values"]))
        bulk_create_with_history(contacts, Contact, batch_size=1000, default_user=by, default_date=now)
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(
                    customer=c, at=now, kind="archive", title=str(IMPORTED), actor=by, actor_name=by.display_name
                )
                for c in created
            ],
            batch_size=1000,
        )
        record(
            job,
            "import_customers",
            by=by,
            at=now,
            after=f"{len(created)} / {len(contacts)}",
            data={"customers": len(created), "contacts": len(contacts), "file": job.file_name},
        )
    return len(created), len(contacts)


# --- the job ----------------------------------------------------------------------------------


def start_import(upload, *, by: User, now: datetime) -> ImportJob:
    """Store the upload and import it: in the request when small, else in a background job."""
    require(by, "customers.import_customers")
    data = upload.read()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True)
        total = sum(max((wb[s].max_row or 1) - 1, 0) for s in (SHEET_CUSTOMERS, SHEET_CONTACTS) if s in wb.sheetnames)
    except Exception:
        raise Invalid(NOT_AN_XLSX, field="file") from None
    job = ImportJob(
        file_name=getattr(upload, "name", "import.xlsx")[:200], created_by=by, created_at=now, total_rows=total
    )
    job.file.save(job.file_name, ContentFile(data), save=False)
    job.save()
    if total <= SYNC_LIMIT:
        run_import(job.pk, now=now)
        job.refresh_from_db()
    else:
        from kefu.customers.tasks import import_customers
        from kefu.jobs import enqueue

        enqueue(import_customers, job.pk)
    return job


J = ImportJob.Status
IMPORT_JOB = states.Machine(
    ImportJob,
    moves={J.QUEUED: {J.RUNNING}, J.RUNNING: {J.FAILED, J.DONE}},
    colours={J.QUEUED: "secondary", J.RUNNING: "blue", J.FAILED: "red", J.DONE: "green"},
)


def run_import(job_id: int, *, now: datetime) -> ImportJob:
    """Check then write; a file with any error writes nothing and keeps the report (QS-2)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        states.move(job, J.RUNNING, by=None, now=now, expected=J.QUEUED)
    except Conflict:
        return job  # another worker has it, or it already ran
    with job.file.open("rb") as fh:
        data = fh.read()

    def progress(n: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=n)

    try:
        parsed = parse(data, progress=progress)
    except Invalid as exc:
        parsed = Parsed(problems=[Problem(SHEET_CUSTOMERS, 1, "", str(exc.message))])
    if parsed.problems:
        states.move(
            job,
            J.FAILED,
            by=None,
            now=now,
            errors=[p.as_dict() for p in parsed.problems],
            processed_rows=job.total_rows,
            finished_at=now,
        )
        return job
    ImportJob.objects.filter(pk=job_id).update(phase=ImportJob.Phase.WRITING, processed_rows=job.total_rows)
    customers, contacts = write(parsed, by=job.created_by, now=now, job=job)
    states.move(job, J.DONE, by=None, now=now, customers_created=customers, contacts_created=contacts, finished_at=now)
    return job
