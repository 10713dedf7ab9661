from django.urls import path

from kefu.documents import views

app_name = "documents"

urlpatterns = [
    path("<int:pk>/", views.file, name="file"),
    path("<int:pk>/thumbnail/", views.thumbnail, name="thumbnail"),
]
