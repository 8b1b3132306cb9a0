"""The micro-wish board (/wishes/): open wishes near a place for anyone, and for staff the
scope's wishes with posting, suggested claimants, claiming and fulfilment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from geo.models import Community, WishCategory
from geo.services.access import scope_of


@require_GET
def wishes(request: HttpRequest) -> HttpResponse:
    """Public board; the staff part only for a user who may read wishes."""
    user = request.user
    staff = bool(user.is_authenticated and user.has_perm("geo.view_wish"))
    scope = scope_of(user) if staff else None
    return render(request, "webmap/wishes.html", {
        "categories": WishCategory.choices, "staff": staff and scope is not None,
        "can_post": staff and user.has_perm("geo.add_wish"),
        "can_act": staff and user.has_perm("geo.change_wish"),
        "communities": Community.objects.filter(code__startswith=scope).order_by("code")
        .only("code", "name") if staff and scope is not None else Community.objects.none(),
    })
