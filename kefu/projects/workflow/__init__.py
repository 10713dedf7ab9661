"""Every state change of implementation projects (PRJ-1..PRJ-8, RV-3). Views, API, demo and
jobs call these; each checks permission and state and does the rest in one transaction."""

from kefu.projects.workflow import changes, taskbook
from kefu.projects.workflow._common import (  # noqa: F401  re-exported
    NO_KICKOFF,
    NO_SIGNED_PLAN,
    NOT_ON_TEAM,
    NOT_STARTABLE,
    SIGNATURE_REQUIRED,
    SIGNER_REQUIRED,
)
from kefu.projects.workflow.acceptance import (  # noqa: F401
    archive,
    conclude_failed,
    document_checklist,
    evaluate_customer,
    evaluate_pm,
    final_review,
    submit_acceptance,
)
from kefu.projects.workflow.changes import (  # noqa: F401
    PAUSE_CHAIN,
    TERMINATE_CHAIN,
    decide,
    request_pause,
    request_terminate,
    resume,
)
from kefu.projects.workflow.plan import (  # noqa: F401
    add_member,
    add_risk,
    close_risk,
    diff,
    portal_users,
    record_kickoff,
    send_plan,
    sign_plan,
    start,
    start_blockers,
    write_plan,
)
from kefu.projects.workflow.taskbook import (  # noqa: F401
    CHAIN as TASK_BOOK_CHAIN,
)
from kefu.projects.workflow.taskbook import (  # noqa: F401
    approve,
    assign_manager,
    create_task_book,
    directors,
    draft_from,
    reject,
    return_book,
    submit,
    update_task_book,
)
from kefu.projects.workflow.work import (  # noqa: F401
    ISSUE_RULE,
    LOG_RULE,
    activate_phase,
    clock_subjects,
    confirm_log,
    confirm_on_paper,
    invite,
    raise_issue,
    resolve_issue,
    return_phase,
    review_phase,
    schedule_visit,
    sign_phase,
    submit_phase,
    write_log,
)


def define_chains() -> None:
    """From ProjectsConfig.ready(): the task-book, pause and terminate approval chains."""
    taskbook.define_chain()
    changes.define_chains(directors)
