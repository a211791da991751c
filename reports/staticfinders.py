"""Serves the charting library from the npm package installed beside the code (no CDN, nothing vendored).

The dashboard draws bar and line charts only, so it takes plotly.js's basic bundle (bar,
scatter, pie: a quarter of the full library's size), installed by `npm ci` from
package-lock.json (`make install`, the Dockerfile).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PACKAGE_DIR = Path(settings.BASE_DIR) / "node_modules" / "plotly.js-basic-dist-min"
PUBLISHED = {"vendor/plotly-basic.min.js": PACKAGE_DIR / "plotly-basic.min.js"}


class PackageAssetFinder(BaseFinder):
    def check(self, **kwargs):
        return [
            Error(f"{path} is missing.", hint="Install the front-end packages: npm ci", id="reports.E001")
            for path in PUBLISHED.values()
            if not path.exists()
        ]

    def find(self, path, find_all=False, **kwargs):
        found = PUBLISHED.get(path)
        if found is None or not found.exists():
            return [] if find_all else None
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=str(PACKAGE_DIR))
        storage.prefix = "vendor"
        for name, path in PUBLISHED.items():
            if path.exists():
                yield name.removeprefix("vendor/"), storage
