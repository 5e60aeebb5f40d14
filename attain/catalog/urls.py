"""Web pages of the catalog app."""

from django.urls import path

from attain.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/prices/new/", views.product_price_add, name="product_price_add"),
    path("lines/", views.productline_list, name="productline_list"),
    path("lines/new/", views.productline_create, name="productline_create"),
    path("lines/<int:pk>/", views.productline_detail, name="productline_detail"),
    path("lines/<int:pk>/edit/", views.productline_edit, name="productline_edit"),
]
