from django.urls import path

from kefu.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("regions/", views.regions, name="regions"),
    path("export/", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/contracts/new/", views.contract_create, name="contract_create"),
    path("<int:pk>/devices/new/", views.device_create, name="device_create"),
    path("<int:pk>/contacts/<int:child_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contracts/<int:child_pk>/edit/", views.contract_edit, name="contract_edit"),
    path("<int:pk>/devices/<int:child_pk>/edit/", views.device_edit, name="device_edit"),
    path("<int:pk>/notes/", views.note_create, name="note_create"),
    path("<int:pk>/<str:action>/", views.customer_status, name="status"),
]
