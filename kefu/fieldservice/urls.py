from django.urls import path

from kefu.fieldservice import views

app_name = "fieldservice"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("board/", views.board, name="board"),
    path("board/rows/", views.board_rows, name="board_rows"),
    path("qa/", views.qa, name="qa"),
    path("m/", views.today, name="today"),
    path("m/<int:pk>/", views.phone_order, name="phone"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/sheet.pdf", views.sheet_pdf, name="pdf"),
    path("<int:pk>/<slug:verb>/", views.order_action, name="action"),
]
