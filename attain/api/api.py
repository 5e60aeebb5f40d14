"""The versioned HTTP API: one NinjaAPI mounting each app's router under /api/v1/."""

from ninja import NinjaAPI

from attain.analytics.api import router as analytics_router
from attain.api.auth import API_AUTH
from attain.api.errors import install_error_handlers
from attain.api.routes import router as tokens_router
from attain.catalog.api import router as catalog_router
from attain.core.api import router as settings_router
from attain.customers.api import router as customers_router
from attain.goals.api import router as goals_router
from attain.imports.api import router as imports_router
from attain.incentives.api import router as incentives_router
from attain.orders.api import router as orders_router
from attain.organization.api import router as organization_router
from attain.pipeline.api import router as pipeline_router
from attain.recognition.api import router as recognition_router
from attain.service.api import router as service_router
from attain.webhooks.api import router as webhooks_router

api = NinjaAPI(
    title="Attain API",
    version="1",
    description=(
        "Every read and write of Attain. Authenticate with a session cookie (and the CSRF "
        "token) or with `Authorization: Bearer <token>` (create tokens on your account page). "
        "A request sees exactly what its person may see in the web app. Errors are "
        '`{"detail": [{"field": …, "message": …}]}`.'
    ),
    auth=API_AUTH,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/settings", settings_router)
api.add_router("/organization", organization_router)
api.add_router("/catalog", catalog_router)
api.add_router("/customers", customers_router)
api.add_router("/pipeline", pipeline_router)
api.add_router("/orders", orders_router)
api.add_router("/service", service_router)
api.add_router("/performance", analytics_router)
api.add_router("/goals", goals_router)
api.add_router("/pay", incentives_router)
api.add_router("/recognition", recognition_router)
api.add_router("/imports", imports_router)
api.add_router("/webhooks", webhooks_router)
api.add_router("/tokens", tokens_router)
