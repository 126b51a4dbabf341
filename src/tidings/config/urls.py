from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

from tidings.api.main import api

admin.site.site_header = "Tidings editor desk"
admin.site.site_title = "Tidings desk"
admin.site.index_title = "Newsroom"

urlpatterns: list[URLPattern | URLResolver] = [
    path("desk/", admin.site.urls),
    path("api/", api.urls),
    path("", include("tidings.web.urls")),
]
if not settings.PRODUCTION:
    # The embedded default serves uploaded photos itself; at scale a web server does.
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

handler404 = "tidings.web.views.errors.page_not_found"
handler500 = "tidings.web.views.errors.server_error"
