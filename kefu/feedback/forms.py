from django.utils.translation import gettext_lazy as _

from kefu.core.forms import ActionForm, Pick, Text
from kefu.feedback.models import Category


class CategoryForm(ActionForm):
    """One row's category from the list's form: `category-<pk>` and the shown `was-<pk>`."""

    category = Pick(Category.objects.filter(active=True), label=_("分类"))
    was = Text(label=_("原分类"))

    def __init__(self, data, *, pk: int):
        super().__init__({"category": data.get(f"category-{pk}"), "was": data.get(f"was-{pk}", "")})
