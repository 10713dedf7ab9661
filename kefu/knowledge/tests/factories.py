"""Personas and articles made through the workflow."""

from datetime import timedelta

from kefu.knowledge import workflow


def published(author, reviewer, publisher, now, **fields):
    article = workflow.create_article(by=author, now=now, **fields)
    workflow.review(article, by=reviewer, now=now + timedelta(minutes=1))
    return workflow.publish(article, by=publisher, now=now + timedelta(minutes=2))


def demo_library(author, reviewer, publisher, now):
    """The 24 demo articles, published."""
    from kefu.knowledge.demo import ARTICLES

    return [
        published(
            author,
            reviewer,
            publisher,
            now,
            title=t,
            product=p,
            version=v,
            symptom=s,
            cause=c,
            solution=sol,
            steps=st,
            tags=tags,
        )
        for t, p, v, s, c, sol, st, tags in ARTICLES
    ]
