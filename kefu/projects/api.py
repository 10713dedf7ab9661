"""REST API of implementation projects (PRJ-1..PRJ-8): read the scoped rows, change them only by
explicit POST actions that call the workflow (the action idiom, kefu.core.api).

Company staff only (`visibility = "internal"`): the customer confirms logs and signs on the
portal pages. Pause and terminate requests are decided through /api/approvals/ (their chains).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from kefu.core.api import WorkflowActionMixin, query_choice
from kefu.core.errors import Conflict
from kefu.core.parsers import WITH_FILES
from kefu.core.serializers import IdField
from kefu.customers.models import Contract
from kefu.org.models import User
from kefu.projects import selectors, workflow
from kefu.projects.models import Acceptance, ChangeRequest, DailyLog, Phase, Project, TaskBook

ACTIVE_USERS = User.objects.filter(is_active=True)


class TaskBookSerializer(serializers.ModelSerializer):
    contract = IdField(queryset=Contract.objects.all())
    number = serializers.CharField(read_only=True)

    class Meta:
        model = TaskBook
        fields = [
            "id",
            "number",
            "contract",
            "customer",
            "need",
            "signer",
            "title",
            "scope",
            "modules",
            "sites",
            "milestones",
            "presales_promises",
            "customer_contacts",
            "manager",
            "status",
            "created_at",
        ]
        read_only_fields = ["customer", "need", "signer", "manager", "status", "created_at"]


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = [
            "id",
            "project",
            "order",
            "name",
            "planned_start",
            "planned_end",
            "deliverables",
            "status",
            "actual_start",
            "actual_end",
            "result",
            "signer_name",
            "signed_at",
            "reopen_count",
        ]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    phases = PhaseSerializer(source="phase_set", many=True, read_only=True)
    start_blockers = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "number",
            "name",
            "task_book",
            "customer",
            "customer_name",
            "contract",
            "manager",
            "status",
            "kickoff_on",
            "kickoff_attendees",
            "kickoff_minutes",
            "started_at",
            "accepted_at",
            "reviewed_at",
            "archived_at",
            "terminated_at",
            "created_at",
            "phases",
            "start_blockers",
        ]
        read_only_fields = fields

    def get_start_blockers(self, project) -> list[str]:
        return workflow.start_blockers(project) if project.status == Project.Status.PLANNING else []


class DailyLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = DailyLog
        fields = [
            "id",
            "project",
            "phase",
            "author",
            "site",
            "day",
            "work_done",
            "hours",
            "issues",
            "next_steps",
            "status",
            "confirmed_how",
            "confirmed_by_name",
            "confirmed_at",
            "created_at",
        ]
        read_only_fields = fields


class AcceptanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Acceptance
        fields = [
            "id",
            "project",
            "round",
            "items",
            "status",
            "pm_passed",
            "pm_opinion",
            "customer_passed",
            "customer_opinion",
            "customer_signer",
            "cause",
            "reopened_phases",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields


class ChangeRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeRequest
        fields = ["id", "project", "kind", "reason", "status", "requested_by", "requested_at", "decided_at"]
        read_only_fields = fields


# --- inputs -------------------------------------------------------------------------------------


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ApproveInput(serializers.Serializer):
    manager = IdField(queryset=ACTIVE_USERS, allow_null=True)


class MemberInput(serializers.Serializer):
    user = IdField(queryset=ACTIVE_USERS)
    role = serializers.CharField(max_length=50)
    start_on = serializers.DateField(required=False, allow_null=True)
    end_on = serializers.DateField(required=False, allow_null=True)


class KickoffInput(serializers.Serializer):
    on = serializers.DateField()
    attendees = serializers.CharField(allow_blank=True)
    minutes = serializers.CharField(allow_blank=True)


class PhaseRow(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    start = serializers.DateField()
    end = serializers.DateField()
    deliverables = serializers.CharField(required=False, allow_blank=True, default="")


class MilestoneRow(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    due = serializers.DateField()
    phase = serializers.IntegerField(required=False, allow_null=True)


class PlanInput(serializers.Serializer):
    scope = serializers.CharField(allow_blank=True)
    approach = serializers.CharField(required=False, allow_blank=True, default="")
    phases = PhaseRow(many=True)
    milestones = MilestoneRow(many=True, required=False)
    change_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class LogInput(serializers.Serializer):
    site = serializers.CharField(allow_blank=True)
    day = serializers.DateField()
    work_done = serializers.CharField(allow_blank=True)
    hours = serializers.CharField()
    issues = serializers.CharField(required=False, allow_blank=True, default="")
    next_steps = serializers.CharField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class PaperInput(serializers.Serializer):
    signer_name = serializers.CharField(allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class IssueInput(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = IdField(queryset=ACTIVE_USERS, allow_null=True)
    product_fault = serializers.BooleanField(required=False, default=False)


class RiskInput(serializers.Serializer):
    description = serializers.CharField(allow_blank=True)
    probability = serializers.CharField(default="medium")
    impact = serializers.CharField(default="medium")
    owner = IdField(queryset=ACTIVE_USERS, allow_null=True, required=False, default=None)
    mitigation = serializers.CharField(required=False, allow_blank=True, default="")


class TerminateInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class AcceptanceInput(serializers.Serializer):
    items = serializers.CharField(allow_blank=True)


class VerdictInput(serializers.Serializer):
    passed = serializers.BooleanField(allow_null=True)
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class ConcludeInput(serializers.Serializer):
    cause = serializers.ChoiceField(Acceptance.Cause.choices)
    phases = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class ResultInput(serializers.Serializer):
    result = serializers.CharField(allow_blank=True)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class SignInput(serializers.Serializer):
    signer_name = serializers.CharField(allow_blank=True)
    scan = serializers.FileField(help_text="the customer's signed scan (PDF/JPG/PNG)")


class InviteInput(serializers.Serializer):
    addresses = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class StaffOnly:
    visibility = "internal"  # company staff; customers use the portal pages

    def staff(self) -> bool:
        return not self.request.user.is_external


# --- viewsets -------------------------------------------------------------------------------


class TaskBookViewSet(StaffOnly, WorkflowActionMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """实施任务书 (PRJ-1): the signer creates one for a contract, submits it; the director decides."""

    serializer_class = TaskBookSerializer
    queryset = TaskBook.objects.none()

    def get_queryset(self):
        if not self.staff():
            return TaskBook.objects.none()
        status = query_choice(self.request.query_params, "status", TaskBook.Status.choices)
        return selectors.task_books_for(self.request.user, status=status)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        contract = data.pop("contract")
        if not Contract.objects.visible_to(self.request.user).filter(pk=contract.pk).exists():
            raise serializers.ValidationError({"contract": _("无效的合同。")})
        serializer.instance = workflow.create_task_book(contract, data=data, by=self.request.user, now=timezone.now())

    def reread(self, result):
        return TaskBook.objects.get(pk=result.pk)

    @extend_schema(request=None, responses=TaskBookSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.act(workflow.submit, self.get_object())

    @extend_schema(request=ApproveInput, responses=TaskBookSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.act(workflow.approve, self.get_object(), input=ApproveInput)

    @extend_schema(request=ReasonInput, responses=TaskBookSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_book(self, request, pk=None):
        return self.act(workflow.return_book, self.get_object(), input=ReasonInput)

    @extend_schema(request=ReasonInput, responses=TaskBookSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.act(workflow.reject, self.get_object(), input=ReasonInput)


class ProjectViewSet(StaffOnly, WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """实施项目 (PRJ-2..PRJ-8): `?view=mine|late|unconfirmed|paused`, `?status=`; every step a POST."""

    serializer_class = ProjectSerializer
    queryset = Project.objects.none()

    def get_queryset(self):
        if not self.staff():
            return Project.objects.none()
        params = self.request.query_params
        return selectors.projects_for(
            self.request.user,
            status=query_choice(params, "status", Project.Status.choices),
            view=query_choice(params, "view", [(v, v) for v in selectors.VIEWS]),
        ).prefetch_related("phase_set")

    def reread(self, result):
        return selectors.project_for(self.request.user, result.pk) if isinstance(result, Project) else result

    def _project(self):
        return self.get_object()

    def _step(self, fn, target, project, input=None, status: int = 200):
        """A step whose workflow returns something else (a member, a plan version, an issue): the
        answer is the project as it is now."""
        data = self.action_input(input) if input is not None else {}
        fn(target, **data, by=self.request.user, now=timezone.now())
        return self.answer(project, status=status)

    @extend_schema(request=MemberInput, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def member(self, request, pk=None):
        project = self._project()
        return self._step(workflow.add_member, project, project, input=MemberInput)

    @extend_schema(request=KickoffInput, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def kickoff(self, request, pk=None):
        return self.act(workflow.record_kickoff, self._project(), input=KickoffInput)

    @extend_schema(request=PlanInput, responses={201: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        project = self._project()
        return self._step(workflow.write_plan, project, project, input=PlanInput, status=201)

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], url_path="send-plan")
    def send_plan(self, request, pk=None):
        project = self._project()
        version = project.plans.filter(status="draft").order_by("-number").first()
        if version is None:
            raise Conflict(_("没有待发送的实施计划。"))
        return self._step(workflow.send_plan, version, project)

    @extend_schema(request=SignInput, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], url_path="sign-plan", parser_classes=WITH_FILES)
    def sign_plan(self, request, pk=None):
        """Staff record the customer's signed scan of the plan sent for signature."""
        project = self._project()
        version = project.plans.filter(status="sent").order_by("-number").first()
        if version is None:
            raise Conflict(_("没有待签字的实施计划。"))
        return self._step(workflow.sign_plan, version, project, input=SignInput)

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self.act(workflow.start, self._project())

    @extend_schema(request=LogInput, responses={201: DailyLogSerializer})
    @action(detail=True, methods=["post"], parser_classes=WITH_FILES)
    def log(self, request, pk=None):
        return self.act(workflow.write_log, self._project(), input=LogInput, output=DailyLogSerializer, status=201)

    @extend_schema(request=IssueInput, responses={201: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        project = self._project()
        return self._step(workflow.raise_issue, project, project, input=IssueInput, status=201)

    @extend_schema(request=RiskInput, responses={201: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def risk(self, request, pk=None):
        project = self._project()
        return self._step(workflow.add_risk, project, project, input=RiskInput, status=201)

    @extend_schema(request=ReasonInput, responses={201: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self.act(
            workflow.request_pause, self._project(), input=ReasonInput, output=ChangeRequestSerializer, status=201
        )

    @extend_schema(request=TerminateInput, responses={201: ChangeRequestSerializer})
    @action(detail=True, methods=["post"], parser_classes=WITH_FILES)
    def terminate(self, request, pk=None):
        return self.act(
            workflow.request_terminate,
            self._project(),
            input=TerminateInput,
            output=ChangeRequestSerializer,
            status=201,
        )

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self.act(workflow.resume, self._project())

    @extend_schema(request=AcceptanceInput, responses={201: AcceptanceSerializer})
    @action(detail=True, methods=["post"])
    def acceptance(self, request, pk=None):
        return self.act(
            workflow.submit_acceptance, self._project(), input=AcceptanceInput, output=AcceptanceSerializer, status=201
        )

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], url_path="final-review")
    def final_review(self, request, pk=None):
        return self.act(workflow.final_review, self._project())

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self.act(workflow.archive, self._project())

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def visit(self, request, pk=None):
        project = self._project()
        return self._step(workflow.schedule_visit, project, project)


class PhaseViewSet(StaffOnly, WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """Phases of the projects I may see (PRJ-5): submit the result, review or return it, record the
    customer's signed scan, invite the customer's management to the presentation."""

    serializer_class = PhaseSerializer
    queryset = Phase.objects.none()

    def get_queryset(self):
        if not self.staff():
            return Phase.objects.none()
        return Phase.objects.filter(project__in=Project.objects.visible_to(self.request.user)).order_by(
            "project_id", "order"
        )

    def reread(self, result):
        return Phase.objects.get(pk=result.pk) if isinstance(result, Phase) else result

    @extend_schema(request=ResultInput, responses=PhaseSerializer)
    @action(detail=True, methods=["post"], parser_classes=WITH_FILES)
    def submit(self, request, pk=None):
        return self.act(workflow.submit_phase, self.get_object(), input=ResultInput)

    @extend_schema(request=None, responses=PhaseSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self.act(workflow.review_phase, self.get_object())

    @extend_schema(request=ReasonInput, responses=PhaseSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_phase(self, request, pk=None):
        return self.act(workflow.return_phase, self.get_object(), input=ReasonInput)

    @extend_schema(request=SignInput, responses=PhaseSerializer)
    @action(detail=True, methods=["post"], parser_classes=WITH_FILES)
    def sign(self, request, pk=None):
        return self.act(workflow.sign_phase, self.get_object(), input=SignInput)

    @extend_schema(request=InviteInput, responses=PhaseSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        phase = self.get_object()
        workflow.invite(phase, **self.action_input(InviteInput), by=request.user, now=timezone.now())
        return self.answer(phase)


class DailyLogViewSet(StaffOnly, WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """实施日志 (PRJ-4): `?status=submitted|confirmed`, `?overdue=1` (past the confirmation clock)."""

    serializer_class = DailyLogSerializer
    queryset = DailyLog.objects.none()

    def get_queryset(self):
        if not self.staff():
            return DailyLog.objects.none()
        params = self.request.query_params
        return selectors.logs_for(
            self.request.user,
            status=query_choice(params, "status", DailyLog.Status.choices),
            overdue=params.get("overdue") == "1",
        )

    def reread(self, result):
        return DailyLog.objects.get(pk=result.pk)

    @extend_schema(request=PaperInput, responses=DailyLogSerializer)
    @action(detail=True, methods=["post"], parser_classes=WITH_FILES)
    def paper(self, request, pk=None):
        """Staff record the customer's confirmation on paper, with its photo."""
        return self.act(workflow.confirm_on_paper, self.get_object(), input=PaperInput)


class AcceptanceViewSet(StaffOnly, WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """验收评估 (PRJ-7): the PM's evaluation, the customer's signed scan, the failed outcome."""

    serializer_class = AcceptanceSerializer
    queryset = Acceptance.objects.none()

    def get_queryset(self):
        if not self.staff():
            return Acceptance.objects.none()
        return Acceptance.objects.filter(project__in=Project.objects.visible_to(self.request.user)).order_by("-id")

    def reread(self, result):
        return Acceptance.objects.get(pk=result.pk)

    @extend_schema(request=VerdictInput, responses=AcceptanceSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        return self.act(workflow.evaluate_pm, self.get_object(), input=VerdictInput)

    @extend_schema(request=ConcludeInput, responses=AcceptanceSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        acceptance = self.get_object()
        data = self.action_input(ConcludeInput)
        phases = list(acceptance.project.phase_set.filter(pk__in=data["phases"]))
        result = workflow.conclude_failed(
            acceptance, cause=data["cause"], phases=phases, by=request.user, now=timezone.now()
        )
        return self.answer(result)
