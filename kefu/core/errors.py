"""Errors a user can cause. Views show them as messages; the API maps them to 400/409/403.

Messages are module constants (Chinese gettext msgids) so tests can assert on them.
"""

from django.utils.translation import gettext_lazy as _

NO_PERMISSION = _("您没有执行此操作的权限。")
STALE_STATE = _("该记录已被他人修改或状态已变更，请刷新后重试。")
REASON_REQUIRED = _("请填写原因。")
ALREADY_DELETED = _("该记录已删除。")


class KefuError(Exception):
    """Base of the errors a user can cause; `status` is the HTTP status the API answers."""

    status = 400
    code = "invalid"
    # A page shows it as a warning with what to confirm, not as an error of a field (kefu.core.actions).
    asks_confirmation = False

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.field = field
        super().__init__(str(self.message))

    default_message = _("输入有误。")


class Invalid(KefuError):
    status = 400
    code = "invalid"


class Conflict(KefuError):
    status = 409
    code = "conflict"
    default_message = STALE_STATE


class Forbidden(KefuError):
    status = 403
    code = "forbidden"
    default_message = NO_PERMISSION
