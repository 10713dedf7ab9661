"""Page forms of implementation projects: they parse what was sent; the workflow's rules and
messages apply (kefu.core.forms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import ActionForm, Flag, Pick, Picks, Text
from kefu.org.models import User
from kefu.projects.models import Phase


class MultipleFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class Files(forms.FileField):
    """Several files at once (photos from a phone)."""

    widget = MultipleFiles

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [f for f in data if f]
        return [data] if data else []


class TaskBookForm(ActionForm):
    title = Text(label=_("项目名称"))
    scope = Text(label=_("实施范围"))
    modules = Text(label=_("实施模块"))
    sites = Text(label=_("实施地点"))
    milestones = Text(label=_("销售承诺的里程碑"))
    presales_promises = Text(label=_("售前承诺"))
    customer_contacts = Text(label=_("客户联系人"))
    files = Files(label=_("附件"))

    FIELDS = ("title", "scope", "modules", "sites", "milestones", "presales_promises", "customer_contacts")

    def arguments(self):
        data = dict(self.cleaned_data)
        files = data.pop("files")
        if self.initial.get("update"):  # revising: the fields only (update_task_book(book, data))
            return {"data": data}
        return {"files": files, "data": data}


class ApproveForm(ActionForm):
    manager = Pick(User.objects.filter(is_active=True, groups__name="project_manager"), label=_("项目经理"))


class ReasonForm(ActionForm):
    reason = Text(label=_("原因"))


class TerminateForm(ActionForm):
    reason = Text(label=_("终止原因"))
    files = Files(label=_("附件"))


class MemberForm(ActionForm):
    user = Pick(User.objects.filter(is_active=True), label=_("顾问"))
    role = Text(label=_("项目角色"))
    start_on = Text(label=_("开始"))
    end_on = Text(label=_("结束"))


class KickoffForm(ActionForm):
    on = Text(label=_("启动会日期"))
    attendees = Text(label=_("参会人"))
    minutes = Text(label=_("会议纪要"))


class PlanForm(ActionForm):
    """The plan: scope, approach, up to eight phases and six milestones, one line each."""

    scope = Text(label=_("实施范围"))
    approach = Text(label=_("实施方式"))
    change_note = Text(label=_("变更说明"))

    ROWS, MILESTONES = 8, 6

    def arguments(self):
        data = self.data
        phases = [
            {
                "name": data.get(f"phase_{i}_name", ""),
                "start": data.get(f"phase_{i}_start", ""),
                "end": data.get(f"phase_{i}_end", ""),
                "deliverables": data.get(f"phase_{i}_deliverables", ""),
            }
            for i in range(self.ROWS)
        ]
        milestones = [
            {
                "name": data.get(f"milestone_{i}_name", ""),
                "due": data.get(f"milestone_{i}_due", ""),
                "phase": data.get(f"milestone_{i}_phase", ""),
            }
            for i in range(self.MILESTONES)
        ]
        return {**self.cleaned_data, "phases": phases, "milestones": milestones}


class SignForm(ActionForm):
    signer_name = Text(label=_("签字人"))
    signature = Text(widget=forms.HiddenInput)
    scan = forms.FileField(label=_("或上传签字扫描件（PDF/JPG/PNG）"), required=False)


class LogForm(ActionForm):
    site = Text(label=_("实施地点"))
    day = Text(label=_("日期"))
    work_done = Text(label=_("工作内容"))
    hours = Text(label=_("工时"))
    issues = Text(label=_("遇到的问题"))
    next_steps = Text(label=_("下一步计划"))
    photos = Files(label=_("照片（可多选）"))


class PaperForm(ActionForm):
    signer_name = Text(label=_("确认人"))
    photos = Files(label=_("签字单据照片"))


class ResultForm(ActionForm):
    result = Text(label=_("阶段成果"))
    files = Files(label=_("交付物"))


class InviteForm(ActionForm):
    addresses = Text(label=_("邮箱（逗号分隔）"))
    note = Text(label=_("说明"))


class IssueForm(ActionForm):
    title = Text(label=_("问题"))
    description = Text(label=_("描述"))
    owner = Pick(User.objects.filter(is_active=True), label=_("负责人"))
    product_fault = Flag(label=_("产品问题"))


class ResolveForm(ActionForm):
    resolution = Text(label=_("处理结果"))


class RiskForm(ActionForm):
    description = Text(label=_("风险"))
    probability = Text(label=_("可能性"), default="medium")
    impact = Text(label=_("影响"), default="medium")
    owner = Pick(User.objects.filter(is_active=True), label=_("负责人"))
    mitigation = Text(label=_("应对措施"))


class AcceptanceForm(ActionForm):
    items = Text(label=_("验收项"))


class VerdictForm(ActionForm):
    passed = forms.NullBooleanField(label=_("评估结论"), required=False, widget=forms.Select)
    opinion = Text(label=_("意见"))


class CustomerVerdictForm(SignForm):
    passed = forms.NullBooleanField(label=_("评估结论"), required=False, widget=forms.Select)
    opinion = Text(label=_("意见"))


class ConcludeForm(ActionForm):
    cause = Text(label=_("未通过原因"))
    phases = Picks(Phase.objects.all(), label=_("返工阶段"))


class DecideForm(ActionForm):
    verdict = Text(label=_("审批意见"))
    reason = Text(label=_("理由"))
