"""Web pages of the orders app (no delete page: orders are cancelled, never deleted)."""

from django.urls import path

from attain.orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("new/", views.order_create, name="order_create"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("<int:pk>/lines/add/", views.order_line_add, name="order_line_add"),
    path("<int:pk>/lines/<int:line_pk>/remove/", views.order_line_remove, name="order_line_remove"),
    path("<int:pk>/advance/", views.order_advance, name="order_advance"),
    path("<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("<int:pk>/payment/", views.order_payment, name="order_payment"),
    path("lines/<int:line_pk>/return/", views.return_create, name="return_create"),
    path("returns/", views.return_list, name="return_list"),
]
