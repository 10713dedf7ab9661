from django.urls import path

from kefu.kpi import views

app_name = "kpi"
urlpatterns = [path("", views.dashboard, name="dashboard")]
