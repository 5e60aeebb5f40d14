"""Web pages of the incentives app (mounted at /pay/)."""

from django.urls import path

from attain.incentives import views

app_name = "incentives"
urlpatterns = [
    path("", views.my_pay, name="my_pay"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("plans/<int:pk>/assignments/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("versions/<int:pk>/copy/", views.version_copy, name="version_copy"),
    path("versions/<int:pk>/end/", views.version_end, name="version_end"),
    path("versions/<int:pk>/accept/", views.plan_accept, name="plan_accept"),
    path("versions/<int:pk>/components/new/", views.component_create, name="component_create"),
    path("components/<int:pk>/edit/", views.component_edit, name="component_edit"),
    path("components/<int:pk>/delete/", views.component_delete, name="component_delete"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/new/", views.run_request, name="run_request"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/calculate/", views.run_recalculate, name="run_recalculate"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("runs/<int:pk>/paid/", views.run_mark_paid, name="run_mark_paid"),
    path("runs/<int:pk>/discard/", views.run_discard, name="run_discard"),
    path("runs/<int:run>/people/<int:person>/", views.statement, name="statement"),
    path("runs/<int:run>/people/<int:person>/csv/", views.statement_csv, name="statement_csv"),
    path("runs/<int:run>/people/<int:person>/pdf/", views.statement_pdf, name="statement_pdf"),
    path("lines/<int:pk>/dispute/", views.dispute_open, name="dispute_open"),
    path("adjustments/", views.adjustment_list, name="adjustment_list"),
    path("adjustments/new/", views.adjustment_create, name="adjustment_create"),
    path("disputes/", views.dispute_list, name="dispute_list"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute_detail"),
    path("what-if/", views.whatif, name="whatif"),
    path("audit/", views.audit_log, name="audit_log"),
]
