from django.conf import settings
from django.http import HttpRequest

from tidings.articles.selectors import section_list_for_navigation


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "navigation_sections": section_list_for_navigation,
    }
