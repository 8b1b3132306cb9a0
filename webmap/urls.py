"""Routes of the pages."""

from django.urls import path

from . import (
    duty_views,
    event_views,
    import_views,
    job_views,
    list_views,
    organisation_views,
    plan_views,
    report_views,
    sheet_views,
    sign_views,
    star_views,
    views,
    wish_views,
)

app_name = "webmap"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("centers/<int:pk>/", views.center_detail, name="center"),
    path("overview/", views.overview, name="overview"),
    path("events/", event_views.events, name="events"),
    path("events/<str:code>/", views.event_page, name="event"),
    path("basemap/context.geojson", views.basemap_context, name="basemap-context"),
    path("healthz", views.healthz, name="healthz"),
    path("plan/", plan_views.editor, name="plan"),
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
    path("reports/jobs", job_views.submit, name="reports-job"),
    path("jobs/", job_views.jobs, name="jobs"),
    path("members/duties/", duty_views.duties, name="duties"),
    path("sheets/<str:kind>/import", sheet_views.upload, name="sheet-upload"),
    path("organisation/", organisation_views.organisation, name="organisation"),
    path("stars/", star_views.stars, name="stars"),
    path("lists/", list_views.lists, name="lists"),
    path("signs/", sign_views.signs, name="signs"),
    path("wishes/", wish_views.wishes, name="wishes"),
    path("jobs/<int:pk>", job_views.job, name="job"),
    path("jobs/<int:pk>/file", job_views.job_file, name="job-file"),
    path("jobs/<int:pk>/cancel", job_views.cancel, name="job-cancel"),
]
