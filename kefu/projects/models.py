"""Implementation projects (PRJ-1..PRJ-8, RV-3): task book, project, team, plan versions,
phases, milestones, risks, daily logs, issues, pause/terminate requests, acceptance.

Scoping (`visible_to`): the implementation director, administrators and the general manager
see every project; a project manager and the consultants on a team their own; a customer portal
user its organisation's projects; nobody else any.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.customers.models import scoped
from kefu.documents.models import Attachment
from kefu.org import roles

USER = settings.AUTH_USER_MODEL
ALL_PROJECTS = frozenset({roles.ADMIN, roles.IMPL_DIRECTOR, roles.GENERAL_MANAGER})
PROJECT_STAFF = ALL_PROJECTS | {roles.PROJECT_MANAGER, roles.CONSULTANT}


def sees_all(user) -> bool:
    return user.is_authenticated and not user.is_external and (user.is_superuser or bool(user.role_keys & ALL_PROJECTS))


class TaskBookQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or user.is_external:
            return self.none()
        if sees_all(user):
            return self
        return self.filter(signer=user)


class TaskBook(models.Model):
    """实施任务书 (PRJ-1): what was sold and promised, filled by the signer of the contract."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        RETURNED = "returned", _("已退回修改")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(
        "customers.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="task_books"
    )
    need = models.ForeignKey(
        "firstvisit.Need", verbose_name=_("首访需求"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer = models.ForeignKey(USER, verbose_name=_("签约人"), on_delete=models.PROTECT, related_name="task_books")
    title = models.CharField(_("项目名称"), max_length=200)
    scope = models.TextField(_("实施范围"))
    modules = models.CharField(_("实施模块"), max_length=300, blank=True)
    sites = models.CharField(_("实施地点"), max_length=300, blank=True, help_text=_("多个地点用顿号或逗号分隔"))
    milestones = models.TextField(_("销售承诺的里程碑"), blank=True)
    presales_promises = models.TextField(_("售前承诺"), blank=True)
    customer_contacts = models.TextField(_("客户联系人"), blank=True)
    manager = models.ForeignKey(
        USER, verbose_name=_("项目经理"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("填写时间"))
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    attachments = GenericRelation(Attachment, related_query_name="project_task_book")

    objects = TaskBookQuerySet.as_manager()

    class Meta:
        verbose_name = _("实施任务书")
        verbose_name_plural = _("实施任务书")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:taskbook", args=[self.pk])

    @property
    def number(self) -> str:
        return f"RWS{self.pk:06d}"


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_customer_user:
            return scoped(self, user, "customer__")
        if user.is_external:
            return self.none()
        if sees_all(user):
            return self
        if user.role_keys & PROJECT_STAFF:
            return self.filter(
                models.Q(manager=user) | models.Q(pk__in=TeamMember.objects.filter(user=user).values("project"))
            )
        return self.none()


class Project(models.Model):
    """实施项目, created when its task book is approved."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("计划中")
        IMPLEMENTING = "implementing", _("实施中")
        PAUSED = "paused", _("已暂停")
        ACCEPTANCE = "acceptance", _("验收评估中")
        FINAL = "final", _("终验")
        ARCHIVED = "archived", _("已归档")
        TERMINATED = "terminated", _("已终止")

    task_book = models.OneToOneField(
        TaskBook, verbose_name=_("实施任务书"), on_delete=models.PROTECT, related_name="project"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="projects"
    )
    contract = models.ForeignKey(
        "customers.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("项目名称"), max_length=200)
    manager = models.ForeignKey(
        USER,
        verbose_name=_("项目经理"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_projects",
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PLANNING)
    kickoff_on = models.DateField(_("启动会日期"), null=True, blank=True)
    kickoff_attendees = models.CharField(_("启动会参会人"), max_length=500, blank=True)
    kickoff_minutes = models.TextField(_("启动会纪要"), blank=True)
    started_at = models.DateTimeField(_("开始实施"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收通过"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("终验审核"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    attachments = GenericRelation(Attachment, related_query_name="project")

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("实施项目")
        verbose_name_plural = _("实施项目")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="projects_status"),
            models.Index(fields=["manager", "-id"], name="projects_manager"),
            models.Index(fields=["customer", "-id"], name="projects_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"XM{self.pk:06d}"

    @property
    def sites(self) -> list[str]:
        raw = (self.task_book.sites or "").replace("，", "、").replace(",", "、")
        return [s.strip() for s in raw.split("、") if s.strip()]


class TeamMember(models.Model):
    """A consultant on the team, with their role and period (PRJ-2)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(USER, verbose_name=_("顾问"), on_delete=models.PROTECT, related_name="project_roles")
    role = models.CharField(_("项目角色"), max_length=50)
    start_on = models.DateField(_("开始"), null=True, blank=True)
    end_on = models.DateField(_("结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目成员")
        verbose_name_plural = _("项目成员")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="projects_one_membership")]

    def __str__(self) -> str:
        return f"{self.user} · {self.role}"


class PlanVersion(models.Model):
    """A version of the plan (PRJ-2, PRJ-3, PRJ-5): phases, milestones, approach and scope as
    written; it applies to the project only once the customer has signed it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("待客户签字")
        SIGNED = "signed", _("客户已签字")
        SUPERSEDED = "superseded", _("已被新版本取代")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plans")
    number = models.PositiveSmallIntegerField(_("版本"))
    scope = models.TextField(_("实施范围"))
    approach = models.TextField(_("实施方式"), blank=True)
    phases = models.JSONField(_("阶段"), default=list)  # [{"name", "start", "end", "deliverables"}]
    milestones = models.JSONField(_("里程碑"), default=list)  # [{"name", "due", "phase"}]
    change_note = models.CharField(_("变更说明"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    written_by = models.ForeignKey(USER, verbose_name=_("编写人"), on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("编写时间"))
    signer_name = models.CharField(_("签字人"), max_length=50, blank=True)
    signature = models.FileField(_("签名"), upload_to="projects/signatures/%Y/%m/", blank=True)
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("实施计划版本")
        verbose_name_plural = _("实施计划版本")
        ordering = ["project", "-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="projects_plan_number")]

    def __str__(self) -> str:
        return str(_("实施计划 V%(n)s") % {"n": self.number})

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + "#plan"


class Phase(models.Model):
    """A phase of the project as the signed plan sets it; done once the customer signs its result."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开始")
        ACTIVE = "active", _("进行中")
        SUBMITTED = "submitted", _("成果待审核")
        REVIEWED = "reviewed", _("待客户签字")
        DONE = "done", _("已完成")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phase_set")
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("阶段"), max_length=50)
    planned_start = models.DateField(_("计划开始"))
    planned_end = models.DateField(_("计划结束"))
    deliverables = models.TextField(_("交付物"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    actual_start = models.DateField(_("实际开始"), null=True, blank=True)
    actual_end = models.DateField(_("实际完成"), null=True, blank=True)
    result = models.TextField(_("阶段成果"), blank=True)
    submitted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    signer_name = models.CharField(_("签字人"), max_length=50, blank=True)
    signature = models.FileField(_("签名"), upload_to="projects/signatures/%Y/%m/", blank=True)
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    attachments = GenericRelation(Attachment, related_query_name="project_phase")

    class Meta:
        verbose_name = _("项目阶段")
        verbose_name_plural = _("项目阶段")
        ordering = ["project", "order"]
        constraints = [models.UniqueConstraint(fields=["project", "order"], name="projects_phase_order")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + f"#phase-{self.pk}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestone_set")
    name = models.CharField(_("里程碑"), max_length=100)
    due_on = models.DateField(_("计划日期"))
    phase_order = models.PositiveSmallIntegerField(_("所属阶段"), null=True, blank=True)
    reached_on = models.DateField(_("达成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["project", "due_on", "id"]
        indexes = [models.Index(fields=["reached_on", "due_on"], name="projects_milestone_due")]

    def __str__(self) -> str:
        return self.name


class Risk(models.Model):
    class Level(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")

    class Status(models.TextChoices):
        OPEN = "open", _("跟踪中")
        CLOSED = "closed", _("已关闭")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="risks")
    description = models.CharField(_("风险"), max_length=300)
    probability = models.CharField(_("可能性"), max_length=6, choices=Level.choices, default=Level.MEDIUM)
    impact = models.CharField(_("影响"), max_length=6, choices=Level.choices, default=Level.MEDIUM)
    owner = models.ForeignKey(
        USER, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mitigation = models.TextField(_("应对措施"), blank=True)
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("项目风险")
        verbose_name_plural = _("项目风险")
        ordering = ["project", "status", "-id"]

    def __str__(self) -> str:
        return self.description


class DailyLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(project__in=Project.objects.visible_to(user))


class DailyLog(models.Model):
    """实施日志 (PRJ-4): one per consultant, site and day; it counts once the customer confirms it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待客户确认")
        CONFIRMED = "confirmed", _("客户已确认")

    class How(models.TextChoices):
        PORTAL = "portal", _("客户在门户确认")
        PAPER = "paper", _("纸质确认（已拍照）")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="logs")
    phase = models.ForeignKey(
        Phase, verbose_name=_("阶段"), null=True, blank=True, on_delete=models.PROTECT, related_name="logs"
    )
    author = models.ForeignKey(USER, verbose_name=_("顾问"), on_delete=models.PROTECT, related_name="project_logs")
    site = models.CharField(_("实施地点"), max_length=100)
    day = models.DateField(_("日期"))
    work_done = models.TextField(_("工作内容"))
    hours = models.DecimalField(_("工时"), max_digits=4, decimal_places=1)
    issues = models.TextField(_("遇到的问题"), blank=True)
    next_steps = models.TextField(_("下一步计划"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    confirmed_how = models.CharField(_("确认方式"), max_length=6, choices=How.choices, blank=True)
    confirmed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_by_name = models.CharField(_("确认人"), max_length=50, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("填写时间"))
    updated_at = models.DateTimeField(null=True, blank=True)
    photos = GenericRelation(Attachment, related_query_name="project_log")

    objects = DailyLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("实施日志")
        verbose_name_plural = _("实施日志")
        ordering = ["-day", "-id"]
        indexes = [
            models.Index(fields=["project", "-day", "-id"], name="projects_log_day"),
            models.Index(fields=["status", "day"], name="projects_log_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "author", "site", "day"], name="projects_one_log_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.site} · {self.author}"

    def get_absolute_url(self) -> str:
        return reverse("projects:log", args=[self.project_id, self.pk])


class Issue(models.Model):
    """A problem met during implementation (PRJ-5), with owner and clock; linked to a service
    request where the product is at fault."""

    class Status(models.TextChoices):
        OPEN = "open", _("处理中")
        RESOLVED = "resolved", _("已解决")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="issues")
    title = models.CharField(_("问题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    owner = models.ForeignKey(USER, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+")
    product_fault = models.BooleanField(_("产品问题"), default=False)
    service_request = models.ForeignKey(
        "servicedesk.ServiceRequest",
        verbose_name=_("关联服务请求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("处理结果"), blank=True)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("登记时间"))
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("项目问题")
        verbose_name_plural = _("项目问题")
        ordering = ["project", "status", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + "#issues"


class ChangeRequest(models.Model):
    """A request to pause or to terminate the project (PRJ-6, PRJ-7), approved by PM and director."""

    class Kind(models.TextChoices):
        PAUSE = "pause", _("暂停")
        TERMINATE = "terminate", _("终止")

    class Status(models.TextChoices):
        PENDING = "pending", _("审批中")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="change_requests")
    kind = models.CharField(_("申请"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("原因"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(USER, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    decided_at = models.DateTimeField(_("审批完成"), null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    attachments = GenericRelation(Attachment, related_query_name="project_change")

    class Meta:
        verbose_name = _("暂停/终止申请")
        verbose_name_plural = _("暂停/终止申请")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project.number} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id])


class Acceptance(models.Model):
    """验收评估 (PRJ-7): one round of evaluation, by the PM and the customer."""

    class Status(models.TextChoices):
        EVALUATING = "evaluating", _("评估中")
        PASSED = "passed", _("验收通过")
        FAILED = "failed", _("验收未通过")

    class Cause(models.TextChoices):
        PRESALES = "presales", _("售前承诺或产品缺陷")
        INCOMPLETE = "incomplete", _("顾问阶段工作未完成")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="acceptances")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    items = models.TextField(_("验收项"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.EVALUATING)
    pm_opinion = models.TextField(_("项目经理意见"), blank=True)
    pm_passed = models.BooleanField(_("项目经理评估通过"), null=True)
    customer_opinion = models.TextField(_("客户意见"), blank=True)
    customer_passed = models.BooleanField(_("客户评估通过"), null=True)
    customer_signer = models.CharField(_("客户签字人"), max_length=50, blank=True)
    signature = models.FileField(_("签名"), upload_to="projects/signatures/%Y/%m/", blank=True)
    cause = models.CharField(_("未通过原因"), max_length=10, choices=Cause.choices, blank=True)
    reopened_phases = models.JSONField(_("返工阶段"), default=list, blank=True)
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))
    decided_at = models.DateTimeField(_("评估完成"), null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("验收评估")
        verbose_name_plural = _("验收评估")
        ordering = ["project", "-round"]
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="projects_acceptance_round")]

    def __str__(self) -> str:
        return str(_("验收评估第 %(n)s 轮") % {"n": self.round})

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + "#acceptance"
