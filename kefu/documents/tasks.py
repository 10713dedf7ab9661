from celery import shared_task

from kefu.documents import thumbnails


@shared_task(name="kefu.documents.tasks.make_thumbnail", ignore_result=True)
def make_thumbnail(attachment_id: int) -> bool:
    """After an image attachment commits: its thumbnail (issue 14 §5)."""
    return thumbnails.make(attachment_id)
