"""Pages that no source file has: the home page and the 404 page.

Each generator returns ``PlannedPage``s with a key that covers what the page shows; the theme's
other listings (taxonomies, archive, feeds) are generators of the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping

from .render import PlannedPage, RenderInputs, content_fingerprint, fingerprint, nav_fingerprint
from .redirects import redirect_pages
from .views import PageView, SiteView


def home_page(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
              ) -> list[PlannedPage]:
    if "/" in views:  # content/index.md is the home page
        return []
    key = fingerprint("home", inputs.theme_key, nav_fingerprint(inputs.site),
                      content_fingerprint(inputs.site.lectures))
    return [PlannedPage("index.html", "/", "home.html", key,
                        lambda: {"site": site_v, "page": None})]


def not_found_page(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
                   ) -> list[PlannedPage]:
    if "/404.html" in views:
        return []
    key = fingerprint("404", inputs.theme_key, nav_fingerprint(inputs.site))
    return [PlannedPage("404.html", "/404.html", "404.html", key,
                        lambda: {"site": site_v, "page": None})]


GENERATORS = [home_page, not_found_page, redirect_pages]
