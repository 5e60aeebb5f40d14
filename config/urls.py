"""URL map: the web pages of each app, the admin and the versioned API."""

from django.contrib import admin
from django.urls import include, path

from attain.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("settings/", include("attain.core.urls")),
    path("organization/", include("attain.organization.urls")),
    path("catalog/", include("attain.catalog.urls")),
    path("customers/", include("attain.customers.urls")),
    path("pipeline/", include("attain.pipeline.urls")),
    path("orders/", include("attain.orders.urls")),
    path("service/", include("attain.service.urls")),
    path("performance/", include("attain.analytics.urls")),
    path("goals/", include("attain.goals.urls")),
    path("pay/", include("attain.incentives.urls")),
    path("recognition/", include("attain.recognition.urls")),
    path("dashboards/", include("attain.dashboards.urls")),
    path("imports/", include("attain.imports.urls")),
    path("webhooks/", include("attain.webhooks.urls")),
    path("notifications/", include("attain.notifications.urls")),
    path("", include("attain.web.urls")),
]
