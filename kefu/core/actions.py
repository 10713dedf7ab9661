"""One action idiom for pages (issue 14 §6): call the workflow, say what happened, go on.

Every page that changes something does it through `act()`:

    return act(request, workflow.reopen, req, form=ReasonForm(request.POST), done=_("已重新打开。"), then=req)

`act` validates the form (if any), calls `fn(*args, **form_arguments, **kwargs, by=request.user,
now=timezone.now())`, and on success adds the `done` message and redirects to `then` (by
default the object the workflow returned). A `KefuError` (or an invalid form, as an `Invalid`
naming its first field) is answered one of two ways:

- without `again`: the error's message (in the user's language) and a redirect to `back`
  (by default `then`), for a button on a page that has nothing typed to keep;
- with `again`: `again(exc)` is the answer, the page shown again with what was typed: a
  Django form gets the error beside its field (`form.add_error`), a hand-written page gets
  `exc` (`shown_again()`: the `sent` / `errors` / `error` of docs/architecture.md "Forms that
  keep what was typed"), and the status is the caller's (`exc.status`, or 200 for a form page).

An error that asks for a confirmation (`exc.asks_confirmation`, a likely duplicate customer)
is a warning message, never a form error: the page shows again with what to confirm.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kefu.core.errors import KefuError
from kefu.core.forms import ActionForm, arguments, form_error


def _target(target, result):
    if callable(target) and not isinstance(target, models.Model):
        target = target(result)
    return result if target is None else target


def _go(target) -> HttpResponse:
    return target if isinstance(target, HttpResponse) else redirect(target)


def _said(done, result):
    return done(result) if callable(done) else done


def act(
    request: HttpRequest,
    fn: Callable[..., Any],
    *args,
    done: Any = None,
    then: Any = None,
    back: Any = None,
    again: Callable[[KefuError], HttpResponse] | None = None,
    form: forms.BaseForm | None = None,
    **kwargs,
) -> HttpResponse:
    """Run one page action (see the module's docstring).

    `done`: the success message, or `done(result)` → message (None: no message).
    `then`: where to go on success: a URL, a URL name, a model, an HttpResponse, or
    `then(result)` → any of these; by default the result. `back`: where a failed action
    without `again` goes (by default `then`). `form`: a bound form, validated first; its
    `arguments()` (or cleaned data) are passed to `fn` as keywords.
    """
    if again is None and back is None and (then is None or callable(then)) and not isinstance(then, models.Model):
        raise TypeError("act() needs `back` (or a fixed `then`) when a failure does not show the page again")
    try:
        if form is not None:
            if not form.is_valid():
                raise form_error(form)
            kwargs = {**arguments(form), **kwargs}
        result = fn(*args, **kwargs, by=request.user, now=timezone.now())
    except KefuError as exc:
        if getattr(exc, "asks_confirmation", False):
            messages.warning(request, exc.message)
        elif again is None:
            messages.error(request, exc.message)
        elif form is not None and not form.errors:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        if again is not None:
            return again(exc)
        return redirect(back if back is not None else then)
    message = _said(done, result)
    if message:
        messages.success(request, message)
    return _go(_target(then, result))


__all__ = ["ActionForm", "act", "shown_again"]


def shown_again(request: HttpRequest, template: str, context: dict, exc: KefuError, *, key: str = "") -> HttpResponse:
    """A hand-written page shown again after a failed action, with what was typed: `sent` (the
    POST, under `key` when the page has several forms), `errors` ({key: exc}) and `error`,
    answered with the error's status (400, 403, 409)."""
    sent = {key: request.POST} if key else request.POST
    extra = {"sent": sent, "errors": {key: exc} if key else {}, "error": exc}
    return render(request, template, {**context, **extra}, status=exc.status)
