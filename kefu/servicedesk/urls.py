from django.urls import path

from kefu.servicedesk import views

app_name = "servicedesk"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_create, name="create"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/sheet.pdf", views.service_sheet_pdf, name="sheet_pdf"),
    path("<int:pk>/<str:action>/", views.request_action, name="action"),
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/customers/", views.customer_lookup, name="customer_lookup"),
    path("hotline/records/", views.hotline_records, name="hotline_records"),
    path("hotline/unsolved/", views.unsolved, name="unsolved"),
    path("hotline/<int:pk>/", views.record_detail, name="record"),
    path("hotline/<int:pk>/<str:action>/", views.record_action, name="record_action"),
    path("duty/", views.duty, name="duty"),
    path("duty/<str:action>/", views.duty_action, name="duty_action"),
    path("calls/", views.calls, name="calls"),
]
