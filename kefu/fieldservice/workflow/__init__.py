"""Every state change of onsite service (OS-1..OS-9, RV-2, KB-4). Views, API and jobs call these.

Each transition checks permission and state, writes the change with a conditional UPDATE
(two managers dispatching at once: one wins, the other gets DISPATCH_TAKEN), moves clocks,
writes the audit event, queues notifications and tells the requesting domain what became of
its request (`kefu.fieldservice.handoffs`) — in one transaction.
"""

from kefu.fieldservice.workflow._common import (  # noqa: F401  re-exported
    ALREADY_ARCHIVED,
    ALREADY_SAMPLED,
    ALREADY_VISITED,
    ANSWER_REQUIRED,
    APPOINTMENT_INVALID,
    APPOINTMENT_MISSED,
    APPOINTMENT_NOT_MISSED,
    BACKUP_REQUIRED,
    DISPATCH_TAKEN,
    ESCALATION_NOTE_REQUIRED,
    FIELD_REQUIRED,
    MOVE_NOT_ALLOWED,
    NEXT_STEP_REQUIRED,
    NO_OPEN_ESCALATION,
    NO_SHEET,
    NOT_AN_ENGINEER,
    NOT_SIGNED,
    NOT_SOLVED_FOR_LIBRARY,
    OPEN_FOR_ENGINEER,
    OPEN_ORDER,
    ORDER_OPEN,
    OUTCOME_REQUIRED,
    PARTICIPANTS_REQUIRED,
    RESULT_RECORDED,
    RESULT_REQUIRED,
    SIGNATURE_REQUIRED,
    SIGNER_REQUIRED,
    VERDICT_REQUIRED,
    WAITING,
    S,
)
from kefu.fieldservice.workflow.orders import (  # noqa: F401  re-exported
    APPOINTMENT_OUT_OF_RANGE,
    check_in,
    check_times,
    confirm,
    dispatch,
    miss_appointment,
    open_order_of,
    request_onsite,
    resume,
    send_back,
    set_appointment,
    verify,
    wait,
)
from kefu.fieldservice.workflow.review import (  # noqa: F401  re-exported
    QA_SHARE,
    organise_consultation,
    pick_sample,
    propose_sample,
    record_consultation_result,
    review_sample,
    week_of,
    week_sheets,
)
from kefu.fieldservice.workflow.sheets import (  # noqa: F401  re-exported
    SHEET_TEXT,
    archive,
    complete,
    escalate,
    open_escalation_of,
    propose_to_library,
    record_return_visit,
    resolve_escalation,
    sheet_of,
    sign,
    write_off,
)
