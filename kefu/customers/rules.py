"""Permissions of the customer archive (rules predicates: role and relation)."""

import rules

from kefu.customers.models import Customer, reads_archive, sees_by_relation
from kefu.org import roles
from kefu.org.rules import has_role, is_admin

# Roles that call or visit customers and so need their phones and addresses (QS-6).
PERSONAL_DATA_ROLES = (
    roles.SALES,
    roles.FIRST_VISIT,
    roles.CUSTOMER_REP,
    roles.SERVICE_DESK,
    roles.HOTLINE,
    roles.SERVICE_MANAGER,
    roles.FIELD_ENGINEER,
    roles.CALL_CENTER,
    roles.QUALITY,
    roles.GENERAL_MANAGER,
)


@rules.predicate
def reads_the_archive(user) -> bool:
    return reads_archive(user)


@rules.predicate
def related_customer(user, customer) -> bool:
    """A relation-scoped role (a field engineer) and a customer it is related to; without an
    object (a list), the list is already scoped."""
    if not sees_by_relation(user):
        return False
    if customer is None:
        return True
    return Customer.objects.visible_to(user).filter(pk=customer.pk).exists()


@rules.predicate
def is_portal_user_of(user, customer) -> bool:
    """A customer's own portal login. Without an object (a list), the list is already scoped."""
    if not user.is_authenticated or not user.is_customer_user:
        return False
    if customer is None:
        return True
    contact = getattr(user, "customer_contact", None)
    return contact is not None and contact.deleted_at is None and contact.customer_id == customer.pk


archive_editors = is_admin | has_role(roles.FIRST_VISIT, roles.CUSTOMER_REP, roles.SERVICE_DESK)

rules.add_perm("customers.view_customer_list", reads_the_archive | is_portal_user_of | related_customer)
rules.add_perm("customers.view_customer", reads_the_archive | is_portal_user_of | related_customer)
rules.add_perm("customers.add_customer", archive_editors | has_role(roles.SALES))
rules.add_perm("customers.change_customer", archive_editors)
rules.add_perm("customers.change_customer_status", is_admin | has_role(roles.CUSTOMER_REP, roles.DEPT_HEAD))
rules.add_perm("customers.view_timeline", reads_the_archive)
rules.add_perm("customers.add_note", reads_the_archive)
rules.add_perm("customers.add_contract", is_admin | has_role(roles.SALES, roles.CUSTOMER_REP))
rules.add_perm("customers.change_contract", is_admin | has_role(roles.FIRST_VISIT, roles.CUSTOMER_REP))
rules.add_perm("customers.add_device", archive_editors | has_role(roles.FIELD_ENGINEER, roles.CALL_CENTER))
rules.add_perm("customers.view_personal_data", is_admin | has_role(*PERSONAL_DATA_ROLES) | is_portal_user_of)
rules.add_perm("customers.import_customers", is_admin | has_role(roles.CUSTOMER_REP))
rules.add_perm(
    "customers.export_customers",
    is_admin | has_role(roles.CUSTOMER_REP, roles.DEPT_HEAD, roles.SERVICE_MANAGER, roles.GENERAL_MANAGER),
)
