from django.urls import path

from kefu.reports import views

app_name = "reports"
urlpatterns = [
    path("<slug:key>/", views.report_page, name="page"),
    path("<slug:key>/report.pdf", views.report_pdf, name="pdf"),
    path("<slug:key>/report.xlsx", views.report_xlsx, name="xlsx"),
    path("<slug:key>/subscriptions/", views.subscription_list, name="subscriptions"),
]
