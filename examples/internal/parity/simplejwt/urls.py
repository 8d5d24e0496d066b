"""The reference server's routes: simplejwt's views at the conventional paths, and the two routes
the example servers add (a public health check and a protected /api/me)."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views


class Me(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"user_id": request.user.id, "username": request.user.username})


def health(request):
    # The example servers' exact bytes: JsonResponse would write {"status": "ok"}.
    return HttpResponse(b'{"status":"ok"}', content_type="application/json")


urlpatterns = [
    path("api/token/", views.TokenObtainPairView.as_view()),
    path("api/token/refresh/", views.TokenRefreshView.as_view()),
    path("api/token/verify/", views.TokenVerifyView.as_view()),
    path("api/token/blacklist/", views.TokenBlacklistView.as_view()),
    path("api/health", health),
    path("api/me", Me.as_view()),
]
