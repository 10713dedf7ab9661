from django.urls import path

from kefu.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("logs/", views.log_list, name="logs"),
    path("taskbooks/", views.taskbook_list, name="taskbooks"),
    path("taskbooks/new/<int:contract_pk>/", views.taskbook_create, name="taskbook_create"),
    path("taskbooks/<int:pk>/", views.taskbook_detail, name="taskbook"),
    path("taskbooks/<int:pk>/edit/", views.taskbook_edit, name="taskbook_edit"),
    path("taskbooks/<int:pk>/<str:action>/", views.taskbook_action, name="taskbook_action"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/report.pdf", views.project_report, name="report"),
    path("<int:pk>/logs/<int:log_pk>/", views.log_detail, name="log"),
    path("<int:pk>/do/<str:action>/", views.project_action, name="action"),
    path("<int:pk>/do/<str:action>/<int:item>/", views.project_action, name="item_action"),
]
