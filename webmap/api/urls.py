"""Routes of the API under /api/v1/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import (
    analysis,
    duties,
    errors,
    event_map,
    events,
    history,
    members,
    organisation,
    plan,
    stars,
    wishes,
)
from .layers import LAYERS
from .permissions import ApiDocsAllowed

router = DefaultRouter()
for name, viewset in LAYERS.items():
    router.register(name, viewset, basename=name)

urlpatterns = [
    path("centers/nearest", analysis.NearestCenters.as_view(), name="centers-nearest"),
    path("search", analysis.PlaceSearch.as_view(), name="search"),
    path("events", events.Events.as_view(), name="events"),
    path("events/map", event_map.EventMap.as_view(), name="event-map"),
    path("events/rates", events.EventRates.as_view(), name="event-rates"),
    path("events/duplicates", events.EventDuplicates.as_view(), name="event-duplicates"),
    path("events/<str:code>", events.EventDetail.as_view(), name="event"),
    path("events/<str:code>/act", events.EventAct.as_view(), name="event-act"),
    path("events/<str:code>/photos/<int:pk>", events.EventPhotoView.as_view(),
         name="event-photo"),
    path("coverage", analysis.Coverage.as_view(), name="coverage"),
    path("pairing", analysis.PairingProposal.as_view(), name="pairing"),
    path("pairing/save", analysis.PairingSave.as_view(), name="pairing-save"),
    path("members", analysis.ReportingMembers.as_view(), name="members"),
    path("members/list", members.MemberList.as_view(), name="member-list"),
    path("members/duties", duties.MemberDuties.as_view(), name="member-duties"),
    path("members/activities", duties.Activities.as_view(), name="member-activities"),
    path("members/activities/<int:pk>", duties.ActivityDetail.as_view(),
         name="member-activity"),
    path("staffing", organisation.Staffing.as_view(), name="staffing"),
    path("staffing/communities/<str:code>/<int:year>",
         organisation.CommunityStaffingView.as_view(), name="staffing-community"),
    path("staffing/streets/<str:code>/<int:year>", organisation.StreetStaffingView.as_view(),
         name="staffing-street"),
    path("leaders", organisation.Leaders.as_view(), name="leaders"),
    path("stars", stars.Stars.as_view(), name="stars"),
    path("wishes", wishes.Wishes.as_view(), name="wishes"),
    path("wishes/nearby", wishes.NearbyWishes.as_view(), name="wishes-nearby"),
    path("wishes/<int:pk>/suggest", wishes.SuggestClaimants.as_view(), name="wish-suggest"),
    path("wishes/<int:pk>/<str:action>", wishes.WishAct.as_view(), name="wish-act"),
    path("stars/scores/<str:code>/<int:year>/<str:star>", stars.ScoreView.as_view(),
         name="star-score"),
    path("rectifications", stars.Rectifications.as_view(), name="rectifications"),
    path("rectifications/<int:pk>/advance", stars.AdvanceRectification.as_view(),
         name="rectification-advance"),
    path("leaders/links", organisation.LeaderLinks.as_view(), name="leader-links"),
    path("leaders/links/<int:pk>/close", organisation.CloseLink.as_view(),
         name="leader-link-close"),
    path("facility-ratio", analysis.FacilityRatio.as_view(), name="facility-ratio"),
    path("grid-checks", analysis.GridChecks.as_view(), name="grid-checks"),
    path("history/<str:kind>/<int:pk>", history.ObjectHistory.as_view(), name="history"),
    path("history/<str:kind>/<int:pk>/revert", history.RevertObject.as_view(),
         name="history-revert"),
    path("plan/communities/<str:code>/", plan.CommunityState.as_view(), name="plan-community"),
    path("plan/communities/<str:code>/check", plan.CheckDrafts.as_view(), name="plan-check"),
    path("plan/communities/<str:code>/save", plan.SaveGrids.as_view(), name="plan-save"),
    path("plan/communities/<str:code>/carve", plan.CarveGrid.as_view(), name="plan-carve"),
    path("plan/communities/<str:code>/propose", plan.ProposeGrids.as_view(),
         name="plan-propose"),
    path("plan/communities/<str:code>/renumber", plan.RenumberGrids.as_view(),
         name="plan-renumber"),
    path("plan/communities/<str:code>/boundary", plan.MoveBoundaryPoint.as_view(),
         name="plan-boundary"),
    path("plan/drafts/<int:pk>", plan.ProposalDraftView.as_view(), name="plan-draft"),
    path("plan/split", plan.SplitGrid.as_view(), name="plan-split"),
    path("plan/merge", plan.MergeGrids.as_view(), name="plan-merge"),
    path("plan/grids/<str:code>/history", plan.GridChanges.as_view(), name="plan-history"),
    path("plan/changes/<int:pk>/revert", plan.RevertChangeset.as_view(), name="plan-revert"),
    # WANGGE_API_DOCS decides who may read them (production: staff only). The split view
    # serves Swagger UI's start-up script as a file, which the Content-Security-Policy allows.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[ApiDocsAllowed]),
         name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema",
                                                      permission_classes=[ApiDocsAllowed]),
         name="docs"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a 404 in the API's error shape, not an HTML page.
    re_path(r"^.*$", errors.not_found),
]
