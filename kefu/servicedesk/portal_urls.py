from django.urls import path

from kefu.servicedesk import portal

app_name = "portal"
urlpatterns = [
    path("", portal.portal_list, name="list"),
    path("new/", portal.portal_new, name="new"),
    path("<int:pk>/", portal.portal_detail, name="detail"),
    path("<int:pk>/visits/<int:order>/sheet.pdf", portal.portal_sheet, name="sheet"),
    path("<int:pk>/<str:action>/", portal.portal_action, name="action"),
]
