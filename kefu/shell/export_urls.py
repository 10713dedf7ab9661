from django.urls import path

from kefu.shell import export_views

app_name = "exports"

urlpatterns = [
    path("jobs/<int:pk>/", export_views.job, name="job"),
    path("jobs/<int:pk>/file/", export_views.download, name="download"),
    path("<str:name>/", export_views.start, name="start"),
]
