"""Every state change of the service desk (SR-1..SR-7, HL-1..HL-8).

Shape of each transition: permission → state check against the state machine (REQUEST, kefu.core.states) → conditional UPDATE
(two people at once: one wins, the other gets Conflict) → clocks → audit → outbox, in one
transaction. `now` is always a parameter.
"""

from kefu.servicedesk.workflow._common import (  # noqa: F401  re-exported
    ALREADY_READY,
    ALREADY_TAKEN_OVER,
    ANSWER_REQUIRED,
    CONFIRMATION_REQUIRED,
    HO,
    MOVE_NOT_ALLOWED,
    NO_WITHDRAWAL_PENDING,
    NOT_ON_DUTY_ROLE,
    NOT_SUBMITTED,
    NOT_YOUR_CUSTOMER,
    NOT_YOUR_SHIFT,
    NOTES_REQUIRED,
    OPEN,
    OWNER_CANNOT_DROP,
    PHENOMENON_REQUIRED,
    RECEIVER_INVALID,
    RECEIVER_REQUIRED,
    RECORD_STATE,
    REQUEST,
    RESULT_REQUIRED,
    SAME_OWNER,
    SHIFT_NOT_STARTED,
    SHIFT_OVERLAPS,
    SHIFT_TIMES,
    TAKEN,
    WITHDRAW_ONLY_PHONE_SOLVED,
    S,
    first_response_rule,
    on_duty,
)
from kefu.servicedesk.workflow.calls import (  # noqa: F401  re-exported
    ANSWERED_WORDS,
    CSV_COLUMNS,
    MISSED_WORDS,
    import_call_log,
    log_call,
)
from kefu.servicedesk.workflow.duty import (  # noqa: F401  re-exported
    copy_week,
    open_items,
    plan_shift,
    previous_shift,
    report_ready,
    start_due_handovers,
    take_over,
)
from kefu.servicedesk.workflow.hotline import (  # noqa: F401  re-exported
    call_back,
    close_loop,
    propose_to_library,
    record_call,
    shelve,
    solve_on_phone,
    submit_unsolved,
)
from kefu.servicedesk.workflow.onsite import (  # noqa: F401  re-exported
    onsite_returned,
    register_handoffs,
    request_onsite,
)
from kefu.servicedesk.workflow.requests import (  # noqa: F401  re-exported
    BATCH_EMPTY,
    BATCH_TOO_BIG,
    ITEM_ERROR,
    MAX_BATCH,
    SHEET_FIELDS,
    WAITABLE,
    WITHDRAWAL_CHAIN,
    _reassign_clocks,
    add_step,
    confirm,
    create_request,
    create_requests,
    define_chains,
    mark_solved,
    off_duty_owner,
    reopen,
    request_withdrawal,
    resume,
    review_withdrawal,
    solve,
    take,
    transfer,
    update_sheet,
    wait,
)
