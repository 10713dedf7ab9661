"""Who may write, review and publish problem-library articles (KB-1)."""

import rules

from kefu.knowledge.models import PUBLISHER_ROLES, REVIEWER_ROLES, is_staff_reader, writes_articles
from kefu.org.rules import is_admin


@rules.predicate
def reads_library(user) -> bool:
    return is_staff_reader(user)


@rules.predicate
def writes(user) -> bool:
    return writes_articles(user)


@rules.predicate
def reviews(user) -> bool:
    return user.is_authenticated and not user.is_external and bool(user.role_keys & REVIEWER_ROLES)


@rules.predicate
def publishes(user) -> bool:
    return user.is_authenticated and not user.is_external and bool(user.role_keys & PUBLISHER_ROLES)


@rules.predicate
def is_author(user, article) -> bool:
    return article is not None and article.author_id == user.pk


# Four eyes: nobody reviews their own article, not even an administrator.
rules.add_perm("knowledge.view_list", reads_library)
rules.add_perm("knowledge.add_article", is_admin | writes)
rules.add_perm("knowledge.change_article", is_admin | is_author | reviews)
rules.add_perm("knowledge.review_article", (is_admin | reviews) & ~is_author)
rules.add_perm("knowledge.publish_article", is_admin | publishes)
rules.add_perm("knowledge.send_back_article", is_admin | reviews | publishes)
rules.add_perm("knowledge.delete_article", is_admin | is_author | publishes)
