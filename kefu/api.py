"""The API router: every domain registers its viewsets here (NT-2)."""

from rest_framework.routers import DefaultRouter

from kefu.notify.api import NotificationViewSet
from kefu.org.api import DepartmentViewSet, RegionViewSet, StationViewSet, UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("stations", StationViewSet, basename="station")
router.register("departments", DepartmentViewSet, basename="department")
router.register("regions", RegionViewSet, basename="region")
router.register("notifications", NotificationViewSet, basename="notification")
