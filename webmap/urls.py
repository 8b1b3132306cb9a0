"""Routes of the pages."""

from django.urls import path

from . import import_views, plan_views, report_views, views

app_name = "webmap"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("centers/<int:pk>/", views.center_detail, name="center"),
    path("overview/", views.overview, name="overview"),
    path("basemap/context.geojson", views.basemap_context, name="basemap-context"),
    path("healthz", views.healthz, name="healthz"),
    path("plan/", plan_views.editor, name="plan"),
    path("plan/api/communities/<str:code>/", plan_views.community_state, name="plan-community"),
    path("plan/api/communities/<str:code>/check", plan_views.check, name="plan-check"),
    path("plan/api/communities/<str:code>/save", plan_views.save, name="plan-save"),
    path("plan/api/communities/<str:code>/carve", plan_views.carve, name="plan-carve"),
    path("plan/api/split", plan_views.split, name="plan-split"),
    path("plan/api/merge", plan_views.merge, name="plan-merge"),
    path("plan/api/grids/<str:code>/history", plan_views.history, name="plan-history"),
    path("plan/api/changes/<int:pk>/revert", plan_views.revert, name="plan-revert"),
    path("data/import/", import_views.index, name="import"),
    path("data/import/<int:pk>/", import_views.detail, name="import-run"),
    path("data/import/<int:pk>/options", import_views.options, name="import-options"),
    path("data/import/<int:pk>/check", import_views.check, name="import-check"),
    path("data/import/<int:pk>/run", import_views.run_view, name="import-go"),
    path("data/import/<int:pk>/progress", import_views.progress_view, name="import-progress"),
    path("data/import/<int:pk>/problems.csv", import_views.problems_csv,
         name="import-problems"),
    path("data/import/<int:pk>/undo", import_views.undo, name="import-undo"),
    path("reports/", report_views.reports, name="reports"),
    path("reports/export", report_views.export, name="reports-export"),
    path("reports/api/pairing", report_views.pairing, name="reports-pairing"),
    path("reports/api/pairing/save", report_views.save_pairing, name="reports-pairing-save"),
]
