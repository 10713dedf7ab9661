from django.urls import path

from kefu.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_create, name="create"),
    path("actions/", views.action_list, name="actions"),
    path("customers/", views.customer_lookup, name="customer_lookup"),
    path("report/", views.monthly_latest, name="monthly_latest"),
    path("report/<str:month>/", views.monthly, name="monthly"),
    path("report/<str:month>/publish/", views.monthly_publish, name="monthly_publish"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/form.pdf", views.registration_pdf, name="pdf"),
    path("<int:pk>/<str:action>/", views.complaint_action, name="action"),
]
